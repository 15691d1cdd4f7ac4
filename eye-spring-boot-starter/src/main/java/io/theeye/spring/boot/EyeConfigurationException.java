package io.theeye.spring.boot;

import java.util.List;

/**
 * The auto-configured {@code EyeClient} cannot be built because required properties are missing;
 * {@link EyeConfigurationFailureAnalyzer} turns it into Spring Boot's startup failure report.
 */
public class EyeConfigurationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final List<String> missing;

  EyeConfigurationException(List<String> missing) {
    super("The Eye's client is not configured: " + String.join(", ", missing) + " not set");
    this.missing = List.copyOf(missing);
  }

  /** The names of the missing properties, e.g. {@code [eye.secret]}. */
  public List<String> missing() {
    return missing;
  }
}
