package io.theeye.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.theeye.client.DropReason;
import io.theeye.client.EyeClient;
import io.theeye.collector.Collector;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.validation.FieldError;

/** The auto-configuration's conditions, binding, validation and back-off, against a real collector. */
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class EyeAutoConfigurationTest {

  private static final String KEY_ID = "shop-web-1";
  private static final String SECRET = "starter-test-secret-value";

  @TempDir
  static Path dir;

  private static Collector collector;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(EyeAutoConfiguration.class, EyeMetricsAutoConfiguration.class,
          EyeHealthAutoConfiguration.class, MetricsAutoConfiguration.class,
          SimpleMetricsExportAutoConfiguration.class));

  @BeforeAll
  static void startCollector() throws Exception {
    collector = Collector.builder().port(0).db(dir.resolve("eye.db")).app("shop", KEY_ID, SECRET).start();
  }

  @AfterAll
  static void stopCollector() {
    collector.close();
  }

  private ApplicationContextRunner configured(String... more) {
    return runner
        .withPropertyValues("eye.endpoint=" + collector.uri(), "eye.key-id=" + KEY_ID, "eye.secret=" + SECRET)
        .withPropertyValues(more);
  }

  @Test
  void theClientIsBuiltFromTheProperties() {
    // The buffer holds 3 events and nothing is sent for an hour: the 4th track() is a counted drop.
    configured("eye.max-queue-events=3", "eye.flush-interval=1h", "eye.max-batch-events=1000",
        "eye.max-queue-bytes=1MB", "eye.shutdown-timeout=0s").run(context -> {
          EyeClient eye = context.getBean(EyeClient.class);
          assertThat(eye.toString()).contains(collector.uri().toString(), KEY_ID).doesNotContain(SECRET);
          for (int i = 0; i < 4; i++) {
            eye.track("s-1", "page interaction", "pageview", Map.of("i", i));
          }
          assertThat(eye.counters().tracked()).isEqualTo(3);
          assertThat(eye.counters().dropped(DropReason.QUEUE_FULL)).isEqualTo(1);

          EyeProperties properties = context.getBean(EyeProperties.class);
          assertThat(properties.getFlushInterval()).isEqualTo(Duration.ofHours(1));
          assertThat(properties.getMaxQueueBytes().toBytes()).isEqualTo(1 << 20);
        });
  }

  @Test
  void aMissingSecretFailsStartupNamingTheProperty() {
    runner.withPropertyValues("eye.endpoint=" + collector.uri(), "eye.key-id=" + KEY_ID).run(context -> {
      assertThat(context).hasFailed();
      Throwable failure = context.getStartupFailure();
      EyeConfigurationException cause = rootCause(failure, EyeConfigurationException.class);
      assertThat(cause.missing()).containsExactly("eye.secret");
      assertThat(cause).hasMessageContaining("eye.secret");

      FailureAnalysis analysis = new EyeConfigurationFailureAnalyzer().analyze(failure);
      assertThat(analysis.getDescription()).contains("needs eye.secret, which is not set");
      assertThat(analysis.getAction()).contains("EYE_SECRET", "eye.enabled=false");
    });
  }

  @Test
  void everyMissingRequiredPropertyIsNamed() {
    runner.run(context -> assertThat(rootCause(context.getStartupFailure(), EyeConfigurationException.class)
        .missing()).containsExactly("eye.endpoint", "eye.key-id", "eye.secret"));
  }

  @Test
  void aValueTheBuilderRefusesFailsStartupNamingThePropertyAndNeverTheSecret() {
    configured("eye.max-queue-events=0", "eye.endpoint=ftp://nowhere", "eye.retry-backoff.initial=1m",
        "eye.retry-backoff.max=1s").run(context -> {
          BindValidationException invalid = rootCause(context.getStartupFailure(),
              BindValidationException.class);
          assertThat(invalid.getValidationErrors().getAllErrors())
              .extracting(e -> ((FieldError) e).getField() + ": " + e.getDefaultMessage())
              .containsExactlyInAnyOrder(
                  "endpoint: endpoint must be an absolute http:// or https:// URL",
                  "max-queue-events: maxQueueEvents must be positive, was 0",
                  "retry-backoff.initial: retryBackoff max (PT1S) must not be less than initial (PT1M)");
          assertThat(invalid.getValidationErrors().getName().toString()).isEqualTo("eye");
          assertThat(invalid.getMessage()).doesNotContain(SECRET);
        });
  }

  @Test
  void sizesOverAnIntAreRefusedWithTheirName() {
    configured("eye.max-batch-bytes=3GB").run(context -> assertThat(
        rootCause(context.getStartupFailure(), BindValidationException.class).getValidationErrors()
            .getAllErrors()).extracting(e -> e.getDefaultMessage())
        .containsExactly("maxBatchBytes must be at most 2147483647 bytes, was 3221225472"));
  }

  @Test
  void aUserClientWinsAndNeedsNoProperties() {
    runner.withUserConfiguration(UserClient.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).getBean(EyeClient.class).isSameAs(context.getBean(UserClient.class).client);
      // Metrics and health use the application's client.
      assertThat(context).hasSingleBean(EyeClientMetrics.class).hasSingleBean(EyeHealthIndicator.class);
    });
  }

  @Test
  void userMetricsAndHealthBeansWin() {
    configured().withUserConfiguration(UserMetricsAndHealth.class).run(context -> {
      assertThat(context).getBean(EyeClientMetrics.class)
          .isSameAs(context.getBean(UserMetricsAndHealth.class).metrics);
      assertThat(context.getBean("eyeHealthIndicator")).isSameAs(context.getBean(UserMetricsAndHealth.class).health);
    });
  }

  @Test
  void customizersRunInOrderAfterTheProperties() {
    configured("eye.strict=false").withUserConfiguration(Customizers.class).run(context -> {
      // The later customizer's strict(true) wins over the property and the earlier customizer.
      assertThatThrownBy(() -> context.getBean(EyeClient.class).track("s", "", "pageview", null))
          .isInstanceOf(IllegalArgumentException.class);
    });
  }

  @Test
  void disabledConfiguresNothing() {
    configured("eye.enabled=false").run(context -> assertThat(context).hasNotFailed()
        .doesNotHaveBean(EyeClient.class).doesNotHaveBean(EyeClientMetrics.class)
        .doesNotHaveBean(EyeHealthIndicator.class).doesNotHaveBean(EyeProperties.class));
  }

  @Test
  void withoutMicrometerOrActuatorOnlyTheClientIsConfigured() {
    configured().withClassLoader(new FilteredClassLoader(MeterBinder.class, HealthIndicator.class))
        .run(context -> assertThat(context).hasSingleBean(EyeClient.class)
            .doesNotHaveBean(EyeClientMetrics.class).doesNotHaveBean(EyeHealthIndicator.class));
  }

  @Test
  void theHealthIndicatorCanBeSwitchedOff() {
    configured("management.health.eye.enabled=false").run(context -> assertThat(context)
        .hasSingleBean(EyeClient.class).hasSingleBean(EyeClientMetrics.class)
        .doesNotHaveBean(EyeHealthIndicator.class));
  }

  @Test
  void metersAreRegisteredWithTheCountersValues() {
    configured("eye.max-queue-events=3", "eye.flush-interval=1h").run(context -> {
      EyeClient eye = context.getBean(EyeClient.class);
      for (int i = 0; i < 4; i++) {
        eye.track("s-1", "page interaction", "pageview", Map.of("i", i));
      }
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      assertThat(registry.get("eye.client.events.tracked").functionCounter().count()).isEqualTo(3);
      assertThat(registry.get("eye.client.events.dropped").tag("reason", "queue_full").functionCounter()
          .count()).isEqualTo(1);
      assertThat(registry.get("eye.client.events.dropped").tag("reason", "closed").functionCounter().count())
          .isZero();
      assertThat(registry.get("eye.client.events.pending").gauge().value()).isEqualTo(3);
    });
  }

  @Test
  void healthGoesDownWhenTheBufferIsFull() {
    // Nothing is sent for an hour, so tracked events stay in the buffer of 3.
    configured("eye.max-queue-events=3", "eye.flush-interval=1h", "eye.shutdown-timeout=0s").run(context -> {
      EyeClient eye = context.getBean(EyeClient.class);
      HealthIndicator health = context.getBean(EyeHealthIndicator.class);
      eye.track("s-1", "page interaction", "pageview", Map.of());
      eye.track("s-1", "page interaction", "pageview", Map.of());
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      assertThat(health.health().getDetails()).containsEntry("buffer.pending", 2L)
          .containsEntry("buffer.capacity", 3).containsEntry("collector", "ready").containsEntry("collector.url", collector.uri() + "/ready");

      eye.track("s-1", "page interaction", "pageview", Map.of());
      assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.health().getDetails()).containsEntry("buffer", "full: new events are dropped")
          .containsEntry("buffer.fill", 1.0);
    });
  }

  @Test
  void healthIsDownWhenTheCollectorIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    configured("eye.endpoint=http://127.0.0.1:" + closedPort, "eye.shutdown-timeout=0s").run(context -> {
      var health = context.getBean(EyeHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails()).containsEntry("collector.url", "http://127.0.0.1:" + closedPort + "/ready");
      assertThat(health.getDetails().get("collector").toString())
          .startsWith("unreachable: java.net.ConnectException");
    });
  }

  @Test
  void whatIsNotDeliveredByTheShutdownTimeoutIsLogged(CapturedOutput output) throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    configured("eye.endpoint=http://127.0.0.1:" + closedPort, "eye.shutdown-timeout=200ms")
        .run(context -> context.getBean(EyeClient.class).track("s-1", "page interaction", "pageview", Map.of()));
    // The runner closed the context: the client gave up on its event after 200 ms and said so.
    assertThat(output).contains("closed; 1 event(s) tracked by this client were not delivered")
        .doesNotContain(SECRET);
  }

  private static <T extends Throwable> T rootCause(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + failure, failure);
  }

  @Configuration(proxyBeanMethods = false)
  static class UserClient {
    final EyeClient client = EyeClient.builder().endpoint("http://127.0.0.1:1").keyId("mine").secret("s")
        .closeTimeout(Duration.ZERO).build();

    @Bean
    EyeClient myEyeClient() {
      return client;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UserMetricsAndHealth {
    EyeClientMetrics metrics;
    EyeHealthIndicator health;

    @Bean
    EyeClientMetrics myMetrics(EyeClient eye) {
      return metrics = new EyeClientMetrics(eye);
    }

    @Bean
    EyeHealthIndicator eyeHealthIndicator(EyeClient eye) {
      return health = new EyeHealthIndicator(eye, null, 1, Duration.ofSeconds(1));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Customizers {
    @Bean
    @Order(2)
    EyeClientBuilderCustomizer strict() {
      return builder -> builder.strict(true);
    }

    @Bean
    @Order(1)
    EyeClientBuilderCustomizer lenient() {
      return builder -> builder.strict(false);
    }
  }
}
