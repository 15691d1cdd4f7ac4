package io.theeye.bench;

import io.theeye.collector.storage.postgres.PostgresEventStore;
import io.theeye.model.Timestamps;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The collector suite against PostgreSQL: a schema preloaded to N events ({@link PostgresPreload}),
 * then the real collector jar (one, then two processes sharing the schema, as behind a load balancer)
 * driven by {@link LoadGenerator} with signed 100-event batches in a closed loop — the generator's
 * connections split evenly over the collectors — then a fixed-rate run on one collector for latency,
 * the rows counted, and the analysts' queries timed on the schema.
 */
@Command(name = "collector-postgres", mixinStandardHelpOptions = true,
    description = "The collector suite on PostgreSQL: one and two collectors sharing a preloaded schema.")
final class PostgresCollectorSuite extends Suite {

  private static final String APP = "bench";
  private static final String KEY_ID = "bench-key";
  private static final String SECRET = "bench-secret-not-for-production-6f1c";
  private static final String BACKEND_NAME = "eye-bench-collector";

  @Option(names = "--server", paramLabel = "URL",
      description = "The PostgreSQL server, without a schema (default: ${DEFAULT-VALUE}).")
  String server = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  @Option(names = "--schema", description = "The schema the collectors share (default: eye_bench).")
  String schema = "eye_bench";

  @Mixin
  PreloadOptions preload = new PreloadOptions();

  @Mixin
  CollectorRunOptions opts = new CollectorRunOptions();

  @Option(names = "--collectors", split = ",",
      description = "Collector counts to run, in order (default 1,2).")
  List<Integer> collectorCounts = new ArrayList<>(List.of(1, 2));

  @Option(names = "--long-query-runs", description = "Runs per 1-hour-window query (default 20; --quick 5).")
  Integer longQueryRuns;

  @Override
  Report run() throws Exception {
    long n = preload.count(quick());
    Duration duration = opts.duration(quick());
    Duration warmup = opts.warmup(quick());
    Duration rateDuration = opts.rateDuration(quick());
    int runs = opts.queryRuns(quick());
    int longRuns = longQueryRuns != null ? longQueryRuns : quick() ? 5 : 20;
    String url = server + (server.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    // The collectors' own connections carry this name, so their PostgreSQL backends can be measured.
    String collectorUrl = url + "&ApplicationName=" + BACKEND_NAME;

    Report report = new Report("collector-postgres", quick());
    report.parameter("server", PostgresEventStore.redact(server)).parameter("schema", schema)
        .parameter("postgres_version", serverVersion()).parameter("preload_events", n)
        .parameter("collectors", collectorCounts).parameter("connections_total", opts.connections)
        .parameter("events_per_request", opts.batchEvents).parameter("duration_s", duration.toSeconds())
        .parameter("warmup_s", warmup.toSeconds()).parameter("fixed_rate_events_per_s", opts.rate)
        .parameter("fixed_rate_s", rateDuration.toSeconds()).parameter("xmx", opts.xmx)
        .parameter("collector_args", opts.collectorArgs).parameter("query_runs", runs)
        .parameter("long_query_runs", longRuns);
    report.note("events_per_s", "events acknowledged as accepted by 202s (durable: committed in PostgreSQL) "
        + "per second of the measured closed-loop window, summed over the collectors");
    report.note("connections", "the load generator's connections are split evenly over the collectors, "
        + "as a round-robin load balancer would; the PostgreSQL server, the collectors and the load "
        + "generator share this machine's cores");
    report.note("stored", "rows added to events during the run, against the events the 202s accepted");
    report.note("cpu", "over the measured closed-loop window, from /proc: cores used by the collector "
        + "processes, by their PostgreSQL backend processes (found by application_name), and the share "
        + "of the machine busy (other tenants included). cpu_us_per_event = those cores / events per "
        + "second: what one stored event costs the collectors and the database, which other tenants "
        + "barely move");

    long preloaded = prepare(url, n);
    report.result("preload_events", preloaded, "events");
    report.columns("phase", "events/s", "requests", "202", "503", "other", "io err", "p50 ms", "p99 ms",
        "p99.9 ms", "max ms");

    for (int count : collectorCounts) {
      runCollectors(report, collectorUrl, count, warmup, duration, count == 1 ? rateDuration : null);
    }

    Instant[] history = historyBounds(url);
    progress("collector-postgres: queries, " + runs + " runs each (" + longRuns + " for 1-hour windows)");
    for (QueryBench.Timing t : new QueryBench(url).run(runs, longRuns, history[0], history[1])) {
      report.row("query " + t.name(), "rows " + Report.format(t.meanRows()), t.runs(), "", "", "", "",
          t.medianMs(), t.p99Ms(), "", "");
      report.result("query." + t.name() + ".median_ms", t.medianMs(), "ms");
      report.result("query." + t.name() + ".p99_ms", t.p99Ms(), "ms");
      report.result("query." + t.name() + ".rows", t.meanRows(), "rows");
      report.note("plan." + t.name(), t.sql() + "  =>  " + t.plan());
    }
    return report;
  }

  /**
   * Starts {@code count} collectors on the schema, drives them together in a closed loop (and one
   * alone at a fixed rate when {@code rateDuration} is set), stops them, and reports.
   */
  private void runCollectors(Report report, String url, int count, Duration warmup, Duration duration,
      Duration rateDuration) throws Exception {
    String label = count + (count == 1 ? " collector" : " collectors");
    long before = countEvents(url);
    List<CollectorProcess> collectors = new ArrayList<>();
    List<LoadGenerator> loads = new ArrayList<>();
    int perCollector = Math.max(1, opts.connections / count);
    long acceptedEver = 0;
    List<Integer> exits = new ArrayList<>();
    List<long[]> heaps = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        Path logs = common.workDir().resolve("postgres-collector-" + (i + 1));
        progress("collector-postgres: starting collector " + (i + 1) + " of " + count);
        CollectorProcess c = CollectorProcess.start(opts.collectorJar, opts.xmx, url, APP + ":" + KEY_ID + ":" + SECRET,
            opts.collectorArgs, logs);
        collectors.add(c);
        loads.add(new LoadGenerator(c.baseUrl(), KEY_ID, SECRET.getBytes(StandardCharsets.UTF_8),
            perCollector, opts.batchEvents));
      }
      progress("collector-postgres: " + label + ", closed loop, " + perCollector * count + " connections, "
          + warmup.toSeconds() + " s warm-up + " + duration.toSeconds() + " s");
      List<Long> pids = new ArrayList<>();
      collectors.forEach(c -> pids.add(c.pid()));
      List<Long> backends = backendPids();
      pids.addAll(backends);
      CpuMeter meter = new CpuMeter(pids.stream().mapToLong(Long::longValue).toArray());
      CpuMeter.Reading[] cpu = new CpuMeter.Reading[2];
      List<CompletableFuture<LoadGenerator.Outcome>> phases = new ArrayList<>();
      for (int i = 0; i < loads.size(); i++) {
        LoadGenerator load = loads.get(i);
        Runnable atStart = i == 0 ? () -> cpu[0] = meter.read() : () -> { };
        phases.add(CompletableFuture.supplyAsync(() -> {
          try {
            return load.closedLoop(perCollector, warmup, duration, atStart);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        }));
      }
      List<LoadGenerator.Outcome> outcomes = new ArrayList<>();
      for (CompletableFuture<LoadGenerator.Outcome> phase : phases) {
        outcomes.add(join(phase));
      }
      cpu[1] = meter.read();
      LoadGenerator.Outcome closed = combine(outcomes);
      addPhase(report, label + ", closed loop x" + perCollector * count, closed);
      String key = count == 1 ? "one_collector" : count + "_collectors";
      Histogram h = closed.latencyMicros();
      report.result(key + ".events_per_s", closed.acceptedPerSecond(), "events/s");
      report.result(key + ".ack_p50_ms", h.getValueAtPercentile(50) / 1000.0, "ms");
      report.result(key + ".ack_p99_ms", h.getValueAtPercentile(99) / 1000.0, "ms");
      report.result(key + ".status_503", closed.status503(), "responses");
      report.result(key + ".other_errors", closed.otherStatus() + closed.ioErrors(), "responses");
      double collectorCores = 0;
      double databaseCores = 0;
      for (int i = 0; i < pids.size(); i++) {
        double cores = CpuMeter.cores(cpu[0], cpu[1], i);
        if (i < collectors.size()) {
          collectorCores += cores;
        } else {
          databaseCores += cores;
        }
      }
      double rateNow = closed.acceptedPerSecond();
      report.result(key + ".collector_cpu_cores", collectorCores, "cores");
      report.result(key + ".postgres_cpu_cores", databaseCores, "cores");
      report.result(key + ".postgres_backends", backends.size(), "processes");
      report.result(key + ".collector_cpu_us_per_event", collectorCores * 1e6 / rateNow, "us");
      report.result(key + ".postgres_cpu_us_per_event", databaseCores * 1e6 / rateNow, "us");
      report.result(key + ".cpu_us_per_event", (collectorCores + databaseCores) * 1e6 / rateNow, "us");
      report.result(key + ".machine_cpu_busy", 100 * CpuMeter.machineBusy(cpu[0], cpu[1]), "%");
      report.result(key + ".machine_iowait", 100 * CpuMeter.ioWait(cpu[0], cpu[1]), "%");

      if (rateDuration != null) {
        progress("collector-postgres: open loop at " + opts.rate + " events/s for " + rateDuration.toSeconds() + " s");
        LoadGenerator.Outcome fixed = loads.get(0).fixedRate(perCollector, opts.rate, rateDuration);
        addPhase(report, label + ", fixed " + (long) opts.rate + "/s", fixed);
        Histogram f = fixed.latencyMicros();
        report.result(key + ".fixed_rate_events_per_s", fixed.acceptedPerSecond(), "events/s");
        report.result(key + ".fixed_rate_ack_p50_ms", f.getValueAtPercentile(50) / 1000.0, "ms");
        report.result(key + ".fixed_rate_ack_p99_ms", f.getValueAtPercentile(99) / 1000.0, "ms");
      }
      for (LoadGenerator load : loads) {
        acceptedEver += load.acceptedEver();
      }
    } finally {
      loads.forEach(LoadGenerator::close);
      for (CollectorProcess c : collectors) {
        exits.add(c.stop());
        heaps.add(c.gcHeap());
      }
    }
    String key = count == 1 ? "one_collector" : count + "_collectors";
    long stored = countEvents(url) - before;
    report.result(key + ".acked_accepted_events", acceptedEver, "events");
    report.result(key + ".stored_minus_acked", stored - acceptedEver, "events");
    report.result(key + ".heap_peak_before_gc_mib",
        heaps.stream().mapToLong(g -> g[0]).max().orElse(0) / 1048576.0, "MiB");
    report.result(key + ".exit_status", exits.stream().mapToInt(Integer::intValue).max().orElse(0), "");
  }

  /** One outcome for several collectors' concurrent windows: counts summed, histograms merged. */
  private static LoadGenerator.Outcome combine(List<LoadGenerator.Outcome> outcomes) {
    if (outcomes.size() == 1) {
      return outcomes.get(0);
    }
    Histogram merged = new Histogram(3);
    double seconds = 0;
    long requests = 0;
    long ok = 0;
    long s503 = 0;
    long other = 0;
    long io = 0;
    long sent = 0;
    long accepted = 0;
    long duplicates = 0;
    long rejected = 0;
    for (LoadGenerator.Outcome o : outcomes) {
      merged.add(o.latencyMicros());
      seconds = Math.max(seconds, o.seconds());
      requests += o.requests();
      ok += o.status202();
      s503 += o.status503();
      other += o.otherStatus();
      io += o.ioErrors();
      sent += o.eventsSent();
      accepted += o.eventsAccepted();
      duplicates += o.duplicates();
      rejected += o.rejected();
    }
    return new LoadGenerator.Outcome(seconds, requests, ok, s503, other, io, sent, accepted, duplicates, rejected,
        merged);
  }

  private static void addPhase(Report report, String name, LoadGenerator.Outcome o) {
    Histogram h = o.latencyMicros();
    report.row(name, o.acceptedPerSecond(), o.requests(), o.status202(), o.status503(), o.otherStatus(),
        o.ioErrors(), h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
  }

  private static <T> T join(CompletableFuture<T> future) throws Exception {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /**
   * Makes sure the schema holds {@code n} preloaded events, preloading (minutes for 10M) only when
   * it does not; the count is remembered in the schema's comment, so later runs reuse it.
   */
  private long prepare(String url, long n) throws Exception {
    String marker = "eye-bench preload: " + n + " events";
    try (Connection c = DriverManager.getConnection(server); Statement s = c.createStatement()) {
      String comment = null;
      try (ResultSet rs = s.executeQuery("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace"
          + " WHERE nspname = '" + schema.replace("'", "''") + "'")) {
        if (rs.next()) {
          comment = rs.getString(1) == null ? "" : rs.getString(1);
        }
      }
      if (!preload.fresh && marker.equals(comment)) {
        progress("collector-postgres: reusing schema " + schema + " (" + marker + "; --fresh-preload to rebuild)");
        return countEvents(url);
      }
      progress("collector-postgres: preloading " + n + " events into schema " + schema);
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      s.execute("CREATE SCHEMA " + schema);
      long start = System.nanoTime();
      long count = PostgresPreload.preload(url, null, null, n, 42);
      progress(String.format("collector-postgres: preloaded %d events in %.0f s", count,
          (System.nanoTime() - start) / 1e9));
      s.execute("COMMENT ON SCHEMA " + schema + " IS '" + marker + "'");
      return count;
    }
  }

  /** The PostgreSQL server processes serving the collectors' connections. */
  private List<Long> backendPids() throws SQLException {
    List<Long> pids = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(server); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name = '"
            + BACKEND_NAME + "'")) {
      while (rs.next()) {
        pids.add(rs.getLong(1));
      }
    }
    return pids;
  }

  private String serverVersion() throws SQLException {
    try (Connection c = DriverManager.getConnection(server); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long countEvents(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM eye_events")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Instant[] historyBounds(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT min(occurred_at), max(occurred_at) FROM events")) {
      rs.next();
      return new Instant[] {Timestamps.parse(rs.getString(1)), Timestamps.parse(rs.getString(2))};
    }
  }
}
