package io.theeye.spring.boot;

import io.theeye.client.EyeClient;

/**
 * Customizes the auto-configured {@link EyeClient} before it is built, for what properties cannot
 * say: a listener, your own OkHttp client, a clock. Every bean of this type is applied, in
 * {@link org.springframework.core.annotation.Order @Order}, after the {@code eye.*} properties.
 *
 * <pre>{@code
 * @Bean
 * EyeClientBuilderCustomizer eyeFailuresToLog() {
 *   return builder -> builder.listener(new EyeListener() {
 *     @Override public void onFailed(Failure f) {
 *       log.warn("{} events not delivered: {}", f.events().size(), f.message());
 *     }
 *   });
 * }
 * }</pre>
 */
@FunctionalInterface
public interface EyeClientBuilderCustomizer {

  /** Changes {@code builder}, which already holds the {@code eye.*} properties. */
  void customize(EyeClient.Builder builder);
}
