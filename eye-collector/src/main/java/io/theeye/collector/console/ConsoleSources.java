package io.theeye.collector.console;

import io.micrometer.core.instrument.MeterRegistry;
import io.theeye.collector.ApplicationKey;
import io.theeye.collector.schema.SchemaRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What the console reads from the running collector.
 *
 * @param registry the collector's meters (the counters, the queue gauges, the commit timer)
 * @param schemas the schemas in force now
 * @param keys the configured keys (only app ids and key ids are shown)
 * @param sqliteFile the SQLite file, or {@code null} when the store is PostgreSQL
 * @param storeDescription the store's description, without a password
 * @param activity requests by key id and status
 * @param started when the collector started
 * @param clock the collector's clock
 */
public record ConsoleSources(MeterRegistry registry, Supplier<SchemaRegistry> schemas, List<ApplicationKey> keys,
    Path sqliteFile, String storeDescription, KeyActivity activity, Instant started, Clock clock) {

  /** Checks every part but {@code sqliteFile} is present. */
  public ConsoleSources {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(schemas, "schemas");
    keys = List.copyOf(keys);
    Objects.requireNonNull(storeDescription, "storeDescription");
    Objects.requireNonNull(activity, "activity");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(clock, "clock");
  }
}
