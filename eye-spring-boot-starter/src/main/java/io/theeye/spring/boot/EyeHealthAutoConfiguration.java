package io.theeye.spring.boot;

import io.theeye.client.EyeClient;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Adds the {@code eye} health indicator ({@link EyeHealthIndicator}) when Spring Boot Actuator is on
 * the class path; {@code management.health.eye.enabled=false} turns it off.
 */
@AutoConfiguration(after = EyeAutoConfiguration.class, before = HealthContributorAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnSingleCandidate(EyeClient.class)
@ConditionalOnEnabledHealthIndicator("eye")
@EnableConfigurationProperties(EyeProperties.class)
public class EyeHealthAutoConfiguration {

  /** The health of the collector and of the client's buffer, under the name {@code eye}. */
  @Bean
  @ConditionalOnMissingBean(name = "eyeHealthIndicator")
  public EyeHealthIndicator eyeHealthIndicator(EyeClient eyeClient, EyeProperties properties) {
    String endpoint = properties.getEndpoint() == null || properties.getEndpoint().isBlank()
        ? null : properties.getEndpoint();
    return new EyeHealthIndicator(eyeClient, endpoint, properties.getMaxQueueEvents(),
        properties.getHealth().getTimeout());
  }
}
