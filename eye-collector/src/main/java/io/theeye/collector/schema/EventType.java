package io.theeye.collector.schema;

import java.util.Objects;

/**
 * An event type: {@code (category, name)}.
 *
 * @param category e.g. {@code page interaction}
 * @param name e.g. {@code pageview}
 */
public record EventType(String category, String name) {

  /** Checks both parts are present. */
  public EventType {
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(name, "name");
  }

  /** {@code category/name}, as the startup line and the docs show it. */
  @Override
  public String toString() {
    return category + "/" + name;
  }
}
