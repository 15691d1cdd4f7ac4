package io.theeye.collector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.theeye.collector.http.HttpEdge;
import io.theeye.collector.schema.EventType;
import io.theeye.collector.storage.sqlite.SqliteWalStats;
import io.theeye.model.EyeProtocol;
import io.theeye.model.Reason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.ToDoubleFunction;

/**
 * {@link CollectorMetrics} backed by a Micrometer {@link PrometheusMeterRegistry}, exposed at
 * {@code GET /metrics}. Labels are fixed sets (paths, statuses, causes, reasons) or configured
 * application and key ids — never a secret or anything taken from a request body. Every series of a
 * fixed label set, and those of every configured application and key, exist at zero from startup
 * ({@link #keysConfigured}).
 *
 * <p>Series (Prometheus names): {@code eye_requests_total{path,status}},
 * {@code eye_auth_failures_total{cause}}, {@code eye_events_received_total{app_id}},
 * {@code eye_events_accepted_total{app_id}}, {@code eye_events_duplicates_total{app_id}},
 * {@code eye_events_rejected_total{app_id,reason}}, {@code eye_queue_depth},
 * {@code eye_writer_batch_requests}, {@code eye_writer_batch_rows}, {@code eye_writer_commit_seconds},
 * {@code eye_writer_failures_total}, {@code eye_requests_refused_total{cause}},
 * {@code eye_requests_authenticated_total{app_id,key_id}}, {@code eye_events_unknown_type_total{app_id}},
 * {@code eye_config_reloads_total{result}}, {@code eye_retention_deleted_total{table}}, and for SQLite
 * {@code eye_sqlite_wal_bytes} and {@code eye_sqlite_checkpoints_total{mode,result}}, plus the JVM's
 * memory, GC and thread series.
 */
public final class PrometheusCollectorMetrics implements CollectorMetrics, AutoCloseable {

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gcMetrics;
  private final DistributionSummary batchRequests;
  private final DistributionSummary batchRows;
  private final Timer commit;
  private final Counter writerFailures;
  private final Timer sync;
  private final DistributionSummary syncTransactions;
  /** Guarded by itself. */
  private final Map<String, Long> unknownTypeNames = new java.util.HashMap<>();

  /** How many distinct types without a schema the log line names between two lines: {@value}. */
  static final int MAX_UNKNOWN_TYPE_NAMES = 100;

  /** A new registry with the collector's series and the JVM's. */
  public PrometheusCollectorMetrics() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    batchRequests = DistributionSummary.builder("eye.writer.batch.requests")
        .description("Requests committed per writer transaction")
        .register(registry);
    batchRows = DistributionSummary.builder("eye.writer.batch.rows")
        .description("Rows (events and rejected rows) committed per writer transaction")
        .register(registry);
    commit = latencyTimer("eye.writer.commit", "Time to write and commit one writer transaction");
    writerFailures = Counter.builder("eye.writer.failures")
        .description("Writer transactions that failed and were rolled back, and failed syncs")
        .register(registry);
    sync = latencyTimer("eye.writer.sync",
        "Time of one fsync making committed transactions durable (SQLite, --sync full)");
    syncTransactions = DistributionSummary.builder("eye.writer.sync.transactions")
        .description("Committed transactions made durable by one fsync")
        .register(registry);
  }

  /** A timer publishing its median and p99 over the last minute, as every writer latency does. */
  private Timer latencyTimer(String name, String description) {
    return Timer.builder(name)
        .description(description)
        .publishPercentiles(0.5, 0.99)
        .distributionStatisticExpiry(Duration.ofMinutes(1))
        .register(registry);
  }

  /** The Prometheus text exposition of every series. */
  public String scrape() {
    return registry.scrape();
  }

  /** The underlying registry, for embedding applications that add their own meters. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Statuses the edge answers, by path: created at zero at startup. */
  private static final Map<String, List<Integer>> STATUSES_BY_PATH = Map.of(
      EyeProtocol.EVENTS_PATH, List.of(202, 400, 401, 413, 415, 500, 503),
      HttpEdge.HEALTH_PATH, List.of(200, 503),
      HttpEdge.READY_PATH, List.of(200, 503),
      HttpEdge.METRICS_PATH, List.of(200, 503),
      "other", List.of(404, 405, 503));
  /** The causes of {@link #requestRefused}. */
  static final List<String> REFUSED_CAUSES = List.of("slow_body", "receive_budget", "parse_busy");
  /** The causes of {@link #authFailed}: one per way authentication fails. */
  static final List<String> AUTH_FAILURE_CAUSES = List.of("missing_key_id", "unknown_key_id",
      "missing_signature", "malformed_signature", "outside_window", "bad_signature");

  private Counter requests(String path, int status) {
    return Counter.builder("eye.requests").description("HTTP requests answered, by path and status")
        .tag("path", path).tag("status", Integer.toString(status))
        .register(registry);
  }

  private Counter refused(String cause) {
    return Counter.builder("eye.requests.refused")
        .description("Connections closed or requests refused to protect the collector's memory, by cause")
        .tag("cause", cause)
        .register(registry);
  }

  private Counter authFailures(String cause) {
    return Counter.builder("eye.auth.failures").description("Requests refused with 401, by cause")
        .tag("cause", cause)
        .register(registry);
  }

  private Counter authenticated(String appId, String keyId) {
    return Counter.builder("eye.requests.authenticated")
        .description("Requests that authenticated, by application and key id")
        .tag("app_id", appId).tag("key_id", keyId)
        .register(registry);
  }

  private Counter perApp(String name, String description, String appId) {
    return Counter.builder(name).description(description).tag("app_id", appId).register(registry);
  }

  private Counter received(String appId) {
    return perApp("eye.events.received", "Events in authenticated, well-formed requests", appId);
  }

  private Counter accepted(String appId) {
    return perApp("eye.events.accepted", "Events stored", appId);
  }

  private Counter duplicates(String appId) {
    return perApp("eye.events.duplicates", "Events already stored (same app and event_id)", appId);
  }

  private Counter unknownType(String appId) {
    return perApp("eye.events.unknown.type",
        "Accepted events whose type has no schema (--unknown-types accept)", appId);
  }

  private Counter rejected(String appId, Reason reason) {
    return Counter.builder("eye.events.rejected").description("Rejected events and malformed bodies, by reason")
        .tag("app_id", appId).tag("reason", reason.code())
        .register(registry);
  }

  private Counter reloads(boolean ok) {
    return Counter.builder("eye.config.reloads")
        .description("Configuration reloads (SIGHUP), applied (ok) or refused whole (failed)")
        .tag("result", ok ? "ok" : "failed")
        .register(registry);
  }

  private Counter retained(String table) {
    return Counter.builder("eye.retention.deleted")
        .description("Rows deleted by retention (--retain-events, --retain-rejected), by table")
        .tag("table", table)
        .register(registry);
  }

  @Override
  public void retentionDeleted(int events, int sessions, int rejected) {
    retained("events").increment(events);
    retained("sessions").increment(sessions);
    retained("rejected_events").increment(rejected);
  }

  @Override
  public void keysConfigured(List<ApplicationKey> keys) {
    List.of("events", "sessions", "rejected_events").forEach(this::retained);
    STATUSES_BY_PATH.forEach((path, statuses) -> statuses.forEach(status -> requests(path, status)));
    REFUSED_CAUSES.forEach(this::refused);
    AUTH_FAILURE_CAUSES.forEach(this::authFailures);
    reloads(true);
    reloads(false);
    for (ApplicationKey key : keys) {
      authenticated(key.appId(), key.keyId());
      received(key.appId());
      accepted(key.appId());
      duplicates(key.appId());
      unknownType(key.appId());
      for (Reason reason : Reason.values()) {
        rejected(key.appId(), reason);
      }
    }
  }

  @Override
  public void requestAnswered(String path, int status) {
    requests(path, status).increment();
  }

  @Override
  public void requestRefused(String cause) {
    refused(cause).increment();
  }

  @Override
  public void authFailed(String cause) {
    authFailures(cause).increment();
  }

  @Override
  public void requestAuthenticated(String appId, String keyId) {
    authenticated(appId, keyId).increment();
  }

  @Override
  public void configReloaded(boolean ok) {
    reloads(ok).increment();
  }

  @Override
  public void eventsReceived(String appId, int count) {
    received(appId).increment(count);
  }

  @Override
  public void eventsAccepted(String appId, int count) {
    accepted(appId).increment(count);
  }

  @Override
  public void eventsDuplicate(String appId, int count) {
    duplicates(appId).increment(count);
  }

  @Override
  public void eventsOfUnknownType(String appId, EventType type, int count) {
    unknownType(appId).increment(count);
    String name = appId + " " + type;
    synchronized (unknownTypeNames) {
      if (unknownTypeNames.containsKey(name) || unknownTypeNames.size() < MAX_UNKNOWN_TYPE_NAMES) {
        unknownTypeNames.merge(name, (long) count, Long::sum);
      } else {
        unknownTypeNames.merge("others", (long) count, Long::sum);
      }
    }
  }

  /**
   * The accepted events without a schema since the last call, by {@code "APP_ID CATEGORY/NAME"} (at most
   * {@value #MAX_UNKNOWN_TYPE_NAMES} names; the rest under {@code "others"}), for the periodic log line.
   */
  Map<String, Long> takeUnknownTypeNames() {
    synchronized (unknownTypeNames) {
      Map<String, Long> taken = new TreeMap<>(unknownTypeNames);
      unknownTypeNames.clear();
      return taken;
    }
  }

  /** The sum of every series of the counter {@code name} (over all its labels). */
  double total(String name) {
    return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  /** The counter {@code name}'s sums by the value of its label {@code tag}. */
  Map<String, Double> totalsBy(String name, String tag) {
    Map<String, Double> totals = new TreeMap<>();
    registry.find(name).counters()
        .forEach(c -> totals.merge(c.getId().getTag(tag), c.count(), Double::sum));
    return totals;
  }

  @Override
  public void eventsRejected(String appId, Reason reason, int count) {
    rejected(appId, reason).increment(count);
  }

  @Override
  public void writerCommitted(int requests, int rows, long commitNanos) {
    batchRequests.record(requests);
    batchRows.record(rows);
    commit.record(commitNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void writerSynced(int transactions, long syncNanos) {
    syncTransactions.record(transactions);
    sync.record(syncNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void writerFailed() {
    writerFailures.increment();
  }

  @Override
  public void queueDepth(IntSupplier depth) {
    Gauge.builder("eye.queue.depth", depth, IntSupplier::getAsInt)
        .strongReference(true)
        .description("Rows (events and rejected rows) queued, not yet committed")
        .register(registry);
  }

  @Override
  public void sqliteWal(SqliteWalStats wal) {
    Gauge.builder("eye.sqlite.wal.bytes", wal, SqliteWalStats::walBytes)
        .strongReference(true)
        .description("Size of the SQLite WAL file; readers that hold old snapshots make it grow")
        .baseUnit("bytes")
        .register(registry);
    checkpoints(wal, "passive", "done", SqliteWalStats::passiveCheckpoints);
    checkpoints(wal, "restart", "done", SqliteWalStats::restarts);
    checkpoints(wal, "restart", "refused", SqliteWalStats::restartsRefused);
    checkpoints(wal, "any", "failed", SqliteWalStats::checkpointFailures);
  }

  private void checkpoints(SqliteWalStats wal, String mode, String result,
      ToDoubleFunction<SqliteWalStats> count) {
    FunctionCounter.builder("eye.sqlite.checkpoints", wal, count)
        .description("WAL checkpoints run by the checkpoint thread, by mode and result")
        .tags("mode", mode, "result", result)
        .register(registry);
  }

  /** Stops listening to GC notifications and closes the registry. */
  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }

  /** Registers the queue's capacity as a gauge, so depth can be read as a fraction of it. */
  void queueCapacity(int capacity) {
    Gauge.builder("eye.queue.capacity", () -> capacity)
        .description("Rows the queue holds before answering 503 overloaded")
        .register(registry);
  }
}
