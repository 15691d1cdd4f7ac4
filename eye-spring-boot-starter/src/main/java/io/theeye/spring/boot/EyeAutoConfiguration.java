package io.theeye.spring.boot;

import io.theeye.client.EyeClient;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures an {@link EyeClient} from the {@code eye.*} properties ({@link EyeProperties}),
 * unless the application defines its own {@code EyeClient} bean or sets {@code eye.enabled=false}.
 *
 * <p>The client is closed when the application context closes, after the beans that use it (Spring
 * destroys a bean's dependents first, and stops the web server before destroying any bean), so what
 * they tracked up to then is delivered; the wait is bounded by {@code eye.shutdown-timeout}, and the
 * client logs what it could not deliver in that time.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "eye.enabled", matchIfMissing = true)
@EnableConfigurationProperties(EyeProperties.class)
public class EyeAutoConfiguration {

  /**
   * The client, built from the properties and then every {@link EyeClientBuilderCustomizer}.
   *
   * @throws EyeConfigurationException when {@code eye.endpoint}, {@code eye.key-id} or
   *     {@code eye.secret} is missing
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public EyeClient eyeClient(EyeProperties properties, ObjectProvider<EyeClientBuilderCustomizer> customizers) {
    List<String> missing = properties.missingRequired();
    if (!missing.isEmpty()) {
      throw new EyeConfigurationException(missing);
    }
    EyeClient.Builder builder = properties.applyTo(EyeClient.builder());
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }
}
