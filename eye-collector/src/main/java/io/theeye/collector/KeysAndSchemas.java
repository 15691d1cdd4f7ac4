package io.theeye.collector;

import io.theeye.collector.schema.SchemaRegistry;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@linkplain Collector#reload() reload} replaces, as one value: the application keys and the
 * event types' schemas. Built only when the whole set is valid, so a collector never serves half of one.
 *
 * @param keys the keys, at least one, each key id once
 * @param schemas the compiled schemas
 */
public record KeysAndSchemas(List<ApplicationKey> keys, SchemaRegistry schemas) {

  /**
   * Checks the set.
   *
   * @throws IllegalArgumentException when there is no key or a key id is configured twice
   */
  public KeysAndSchemas {
    keys = List.copyOf(keys);
    Objects.requireNonNull(schemas, "schemas");
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("at least one application key is required");
    }
    Set<String> keyIds = new HashSet<>();
    for (ApplicationKey key : keys) {
      if (!keyIds.add(key.keyId())) {
        throw new IllegalArgumentException("key id '" + key.keyId() + "' is configured twice");
      }
    }
  }

  /** The applications of the keys, in the keys' order. */
  public Set<String> applicationIds() {
    Set<String> ids = new LinkedHashSet<>();
    keys.forEach(k -> ids.add(k.appId()));
    return ids;
  }
}
