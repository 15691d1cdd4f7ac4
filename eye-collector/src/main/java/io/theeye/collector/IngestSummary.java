package io.theeye.collector;

import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per interval saying what the collector did since the last one: events accepted,
 * rejected (by reason), duplicates, and the types accepted without a schema, by application — so an
 * operator following the log sees ingest working, or failing, without a metrics stack. Quiet when
 * nothing arrived. Reads the same counters {@code GET /metrics} exposes.
 */
final class IngestSummary implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(IngestSummary.class);

  private final PrometheusCollectorMetrics metrics;
  private final Duration interval;
  private final ScheduledExecutorService timer;
  private double accepted;
  private double duplicates;
  private Map<String, Double> rejected = Map.of();

  /** Logs every {@code interval}; with a zero interval, only {@link #take} makes lines. */
  IngestSummary(PrometheusCollectorMetrics metrics, Duration interval) {
    this.metrics = metrics;
    this.interval = interval;
    if (interval.isZero()) {
      timer = null;
      return;
    }
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "eye-summary");
      t.setDaemon(true);
      return t;
    });
    long millis = interval.toMillis();
    timer.scheduleAtFixedRate(this::log, millis, millis, TimeUnit.MILLISECONDS);
  }

  private void log() {
    try {
      String line = take("in the last " + interval.toSeconds() + " s");
      if (line != null) {
        LOG.info(line);
      }
    } catch (RuntimeException e) {
      LOG.warn("could not write the ingest summary", e);
    }
  }

  /**
   * The line for what happened since the last call, e.g. {@code "ingest in the last 60 s: 1200 accepted,
   * 3 rejected (future_timestamp 1, schema_violation 2), 0 duplicates; accepted without a schema: shop
   * checkout/step 4"}, or null when nothing arrived.
   *
   * @param period how the line names the time it covers
   */
  synchronized String take(String period) {
    double acceptedNow = metrics.total("eye.events.accepted");
    double duplicatesNow = metrics.total("eye.events.duplicates");
    Map<String, Double> rejectedNow = metrics.totalsBy("eye.events.rejected", "reason");
    Map<String, Long> unknown = metrics.takeUnknownTypeNames();

    long acceptedDelta = Math.round(acceptedNow - accepted);
    long duplicatesDelta = Math.round(duplicatesNow - duplicates);
    Map<String, Long> rejectedDelta = new TreeMap<>();
    rejectedNow.forEach((reason, count) -> {
      long delta = Math.round(count - rejected.getOrDefault(reason, 0.0));
      if (delta > 0) {
        rejectedDelta.put(reason, delta);
      }
    });
    accepted = acceptedNow;
    duplicates = duplicatesNow;
    rejected = rejectedNow;

    long rejectedTotal = rejectedDelta.values().stream().mapToLong(Long::longValue).sum();
    if (acceptedDelta == 0 && duplicatesDelta == 0 && rejectedTotal == 0 && unknown.isEmpty()) {
      return null;
    }
    StringBuilder line = new StringBuilder("ingest ").append(period).append(": ");
    line.append(acceptedDelta).append(" accepted, ").append(rejectedTotal).append(" rejected");
    if (rejectedTotal > 0) {
      StringJoiner reasons = new StringJoiner(", ", " (", ")");
      rejectedDelta.forEach((reason, count) -> reasons.add(reason + " " + count));
      line.append(reasons);
    }
    line.append(", ").append(duplicatesDelta).append(" duplicates");
    if (!unknown.isEmpty()) {
      StringJoiner types = new StringJoiner(", ", "; accepted without a schema: ", "");
      unknown.forEach((type, count) -> types.add(type + " " + count));
      line.append(types);
    }
    return line.toString();
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
