package io.theeye.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/** What a person starting a misconfigured application reads: Spring Boot's failure report. */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureReportTest {

  private static final String SECRET = "do-not-print-this-secret";

  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(EyeAutoConfiguration.class)
  static class App {}

  private static void start(String... properties) {
    new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(properties).run();
  }

  @Test
  void aMissingSecretIsReportedByName(CapturedOutput output) {
    assertThatThrownBy(() -> start("eye.endpoint=http://127.0.0.1:8080", "eye.key-id=shop-web-1"))
        .hasRootCauseInstanceOf(EyeConfigurationException.class);
    assertThat(output).contains("APPLICATION FAILED TO START",
        "The Eye's client (eye-spring-boot-starter) needs eye.secret, which is not set.",
        "eye.secret=...                       (EYE_SECRET");
  }

  @Test
  void aWrongValueIsReportedWithItsPropertyAndNeverTheSecret(CapturedOutput output) {
    assertThatThrownBy(() -> start("eye.endpoint=http://127.0.0.1:8080", "eye.key-id=shop-web-1",
        "eye.secret=" + SECRET, "eye.max-in-flight-batches=65"));
    assertThat(output).contains("APPLICATION FAILED TO START", "Property: eye.max-in-flight-batches",
        "Value: \"65\"", "Reason: maxInFlightBatches must be 1-64, was 65").doesNotContain(SECRET);
  }
}
