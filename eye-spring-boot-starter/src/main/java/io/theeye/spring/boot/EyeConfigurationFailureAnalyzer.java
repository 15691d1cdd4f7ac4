package io.theeye.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains an {@link EyeConfigurationException} in Spring Boot's "APPLICATION FAILED TO START" report. */
class EyeConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<EyeConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, EyeConfigurationException cause) {
    String description = "The Eye's client (eye-spring-boot-starter) needs "
        + String.join(", ", cause.missing()) + ", which " + (cause.missing().size() == 1 ? "is" : "are")
        + " not set.";
    String action = """
        Set the missing properties, for example in application.properties or the environment:
            eye.endpoint=http://127.0.0.1:8080   (EYE_ENDPOINT: the collector's base URL)
            eye.key-id=shop-web-1                (EYE_KEY_ID: the key id the collector knows)
            eye.secret=...                       (EYE_SECRET: the key's secret; keep it out of files)
        or define your own EyeClient bean, or set eye.enabled=false to switch The Eye off.""";
    return new FailureAnalysis(description, action, cause);
  }
}
