package io.theeye.spring.boot;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.theeye.client.EyeClient;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * Binds the application's {@link EyeClient} counters to Micrometer ({@link EyeClientMetrics}) when
 * Micrometer is on the class path; Spring Boot's metrics support binds every {@link MeterBinder} bean
 * to its registries.
 */
@AutoConfiguration(after = EyeAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnSingleCandidate(EyeClient.class)
public class EyeMetricsAutoConfiguration {

  /** The client's counters as meters named {@code eye.client.events.*}. */
  @Bean
  @ConditionalOnMissingBean
  public EyeClientMetrics eyeClientMetrics(EyeClient eyeClient) {
    return new EyeClientMetrics(eyeClient);
  }
}
