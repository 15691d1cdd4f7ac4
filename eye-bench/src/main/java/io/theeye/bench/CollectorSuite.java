package io.theeye.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The collector as it ships: a database preloaded to N events through the collector's own storage
 * code, the real jar started as a child process with {@code -Xmx512m} and one application key, driven
 * over HTTP by {@link LoadGenerator} with signed 100-event batches — first a closed loop for sustained
 * throughput, then an open loop at 1,000 events/s for latency — then the rows counted in the database
 * and the analysts' queries timed on it.
 */
@Command(name = "collector", mixinStandardHelpOptions = true,
    description = "Preloaded database, real collector jar (-Xmx512m), signed 100-event batches over HTTP, then queries.")
final class CollectorSuite extends Suite {

  private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

  static final String APP = "bench";
  static final String KEY_ID = "bench-key";
  static final String SECRET = "bench-secret-not-for-production-6f1c";

  @Mixin
  PreloadOptions preload = new PreloadOptions();

  @Mixin
  CollectorRunOptions opts = new CollectorRunOptions();

  @Option(names = "--preload-only", description = "Only build (or check) the cached preloaded database, then stop.")
  boolean preloadOnly;

  @Option(names = "--long-query-runs",
      description = "Runs per 1-hour-window query, which reads ~360k rows (default 100; --quick 5).")
  Integer longQueryRuns;

  @Option(names = "--jfr", description = "Record the collector's closed-loop phase with JFR (settings=profile) "
      + "into the work dir and summarize where its samples went.")
  boolean jfr;

  @Option(names = "--calibrate-seconds",
      description = "Seconds of the same closed loop against a no-op server first, to show the load "
          + "generator's own limit (default 10; --quick 3; 0 skips).")
  Integer calibrateSeconds;

  @Option(names = "--ceiling", description = "rows/s of sqlite-ceiling to compare with "
      + "(default: the newest sqlite-ceiling result in the results dir).")
  Double ceiling;

  @Override
  Report run() throws Exception {
    long n = preload.count(quick());
    Duration duration = opts.duration(quick());
    Duration warmup = opts.warmup(quick());
    Duration rateDuration = opts.rateDuration(quick());
    Duration rateWarmup = opts.rateWarmup(quick());
    int runs = opts.queryRuns(quick());
    int longRuns = longQueryRuns != null ? longQueryRuns : quick() ? 5 : 100;

    Report report = new Report("collector", quick());
    report.parameter("preload_events", n).parameter("connections", opts.connections)
        .parameter("events_per_request", opts.batchEvents).parameter("duration_s", duration.toSeconds())
        .parameter("warmup_s", warmup.toSeconds()).parameter("fixed_rate_events_per_s", opts.rate)
        .parameter("fixed_rate_s", rateDuration.toSeconds()).parameter("fixed_rate_warmup_s", rateWarmup.toSeconds())
        .parameter("xmx", opts.xmx)
        .parameter("collector_args", opts.collectorArgs).parameter("collector_jvm_args", opts.collectorJvmArgs)
        .parameter("query_runs", runs)
        .parameter("long_query_runs", longRuns)
        .parameter("closed_loop_sessions", opts.sessions == 0 ? "2,000 short sessions per sender" : opts.sessions);
    report.note("events_per_s", "events acknowledged as accepted by 202s (durable mode: committed) per second "
        + "of the measured closed-loop window; requests count in the window they were sent in");
    report.note("ack_latency", "request send to response received, per request (100 events), closed loop: "
        + "at saturation; fixed rate: measured from each request's intended send time (open loop, "
        + "coordinated-omission aware)");
    report.note("heap", "from the collector's own GC log (-Xlog:gc): peak heap occupancy before a "
        + "collection (the most it used) and after one (what it retained); RSS = VmHWM of the process");
    report.note("loadgen_noop", "the same load generator against a server that answers 202 at once "
        + "without reading signatures or storing: the most this generator can offer on this machine");
    report.note("cpu", "over the measured closed-loop window, from /proc: cores used by the collector "
        + "process and by this load generator, and the share of the machine's cores busy (anyone's, "
        + "other tenants included) and idle in I/O wait; busy well above collector + generator means "
        + "the run shared the machine. collector_cpu_us_per_event = collector cores / events per second: "
        + "the CPU one stored event costs, which noise from other tenants barely moves");
    report.note("stored", "count(*) of events after the collector stopped, minus the preload");

    if (preloadOnly) {
      long count = prepareDatabase(null, n);
      report.result("preload_events", count, "events");
      return report;
    }
    int calibrate = calibrateSeconds != null ? calibrateSeconds : quick() ? 3 : 10;
    LoadGenerator.Outcome noop = null;
    LoadGenerator.Outcome noopFixed = null;
    if (calibrate > 0) {
      progress("collector: calibrating the load generator against a no-op server for " + calibrate + " s");
      try (TrivialServer server = new TrivialServer();
          LoadGenerator load = new LoadGenerator(server.baseUrl(), KEY_ID, SECRET.getBytes(StandardCharsets.UTF_8),
              opts.connections, opts.batchEvents)) {
        noop = load.closedLoop(opts.connections, Duration.ofSeconds(1), Duration.ofSeconds(calibrate));
        noopFixed = load.fixedRate(opts.connections, opts.rate, rateWarmup, Duration.ofSeconds(calibrate));
      }
      progress(String.format("collector: load generator alone: %.0f events/s, p50 %.2f ms", noop.acceptedPerSecond(),
          noop.latencyMicros().getValueAtPercentile(50) / 1000.0));
    }

    Path work = common.workDir();
    Path db = work.resolve("collector.db");
    long preloaded = prepareDatabase(db, n);
    Instant[] history = historyBounds(db);
    report.parameter("history", history[0] + " .. " + history[1]);

    Path jfrFile = jfr ? work.resolve("collector.jfr") : null;
    List<String> extra = new ArrayList<>(opts.collectorArgs);
    progress("collector: starting " + opts.collectorJar + " on " + db);
    CollectorProcess collector = CollectorProcess.start(opts.collectorJar, opts.xmx, opts.collectorJvmArgs,
        db.toString(), APP + ":" + KEY_ID + ":" + SECRET, extra, work);
    LoadGenerator.Outcome closed;
    LoadGenerator.Outcome fixed;
    CpuMeter.Reading[] cpu;
    List<CpuMeter.GroupCores> threadCores;
    long acceptedEver;
    long walClosed;
    long walFixed;
    double[] fixedMetrics;
    long[] gc;
    List<LoadGenerator.Slow> slowest;
    Optional<Long> rss;
    int exit;
    try (LoadGenerator load = new LoadGenerator(collector.baseUrl(), KEY_ID,
        SECRET.getBytes(StandardCharsets.UTF_8), opts.connections, opts.batchEvents, opts.sessions)) {
      progress("collector: closed loop, " + opts.connections + " connections, "
          + (opts.sessions > 0 ? opts.sessions + " fixed sessions, " : "") + warmup.toSeconds() + " s warm-up + "
          + duration.toSeconds() + " s");
      if (jfrFile != null) {
        Files.deleteIfExists(jfrFile);
        collector.startJfr(jfrFile);
      }
      WalWatch walWatch = new WalWatch(db);
      CpuMeter meter = new CpuMeter(collector.pid(), ProcessHandle.current().pid());
      cpu = new CpuMeter.Reading[] {null, null};
      List<java.util.Map<Long, CpuMeter.ThreadTicks>> threads = new ArrayList<>();
      closed = load.closedLoop(opts.connections, warmup, duration, () -> {
        walWatch.takeMax();
        cpu[0] = meter.read();
        threads.add(CpuMeter.threadTicks(collector.pid()));
      });
      cpu[1] = meter.read();
      threads.add(CpuMeter.threadTicks(collector.pid()));
      threadCores = CpuMeter.threadCores(threads.get(0), threads.get(1), (cpu[1].nanos() - cpu[0].nanos()) / 1e9);
      if (jfrFile != null) {
        collector.stopJfr();
      }
      progress("collector: open loop at " + opts.rate + " events/s, " + rateWarmup.toSeconds() + " s warm-up + "
          + rateDuration.toSeconds() + " s");
      walClosed = walWatch.takeMax();
      fixed = load.fixedRate(opts.connections, opts.rate, rateWarmup, rateDuration);
      slowest = load.slowestOfLastFixedRate();
      walFixed = walWatch.takeMax();
      walWatch.close();
      // The collector's own view of the fixed-rate phase (its summaries cover the last minutes).
      fixedMetrics = new double[] {
          collector.metric("eye_writer_commit_seconds{quantile=\"0.99\"}") * 1000,
          collector.metric("eye_writer_sync_seconds{quantile=\"0.99\"}") * 1000,
          collector.metric("eye_sqlite_checkpoints_total{mode=\"restart\",result=\"done\"}"),
          collector.metric("eye_sqlite_checkpoints_total{mode=\"restart\",result=\"refused\"}"),
          collector.metric("eye_sqlite_checkpoints_total{mode=\"passive\",result=\"done\"}")};
      acceptedEver = load.acceptedEver();
      rss = collector.peakRss();
    } finally {
      progress("collector: SIGTERM");
      exit = collector.stop();
      gc = collector.gcHeap();
    }
    long after = countEvents(db);
    long stored = after - preloaded;

    report.columns("phase", "events/s", "requests", "202", "503", "other", "io err", "p50 ms", "p99 ms",
        "p99.9 ms", "max ms");
    if (noop != null) {
      addPhase(report, "no-op server x" + opts.connections, noop);
    }
    addPhase(report, "closed loop x" + opts.connections, closed);
    addPhase(report, "fixed " + (long) opts.rate + "/s", fixed);
    StringBuilder slow = new StringBuilder();
    for (LoadGenerator.Slow s : slowest) {
      slow.append(String.format("%s %.1f ms; ", s.due(), s.millis()));
    }
    report.note("fixed_rate_slowest", "the open loop's slowest requests, when each was due (UTC; the collector's "
        + "GC log has the same clock) and its latency: " + slow);
    double ceilingRate = ceiling != null ? ceiling : latestCeiling().orElse(Double.NaN);

    report.result("preload_events", preloaded, "events");
    if (noop != null) {
      report.result("loadgen_noop_events_per_s", noop.acceptedPerSecond(), "events/s");
      // The generator's own tail at the fixed rate: what no collector can be faster than.
      report.result("loadgen_noop_fixed_rate_p99_ms", noopFixed.latencyMicros().getValueAtPercentile(99) / 1000.0, "ms");
      report.result("loadgen_noop_fixed_rate_p99_9_ms", noopFixed.latencyMicros().getValueAtPercentile(99.9) / 1000.0,
          "ms");
    }
    report.result("events_per_s", closed.acceptedPerSecond(), "events/s");
    if (!Double.isNaN(ceilingRate)) {
      report.result("ratio_to_sqlite_ceiling", closed.acceptedPerSecond() / ceilingRate, "x");
    }
    Histogram h = closed.latencyMicros();
    report.result("ack_p50_ms", h.getValueAtPercentile(50) / 1000.0, "ms");
    report.result("ack_p99_ms", h.getValueAtPercentile(99) / 1000.0, "ms");
    report.result("ack_p99_9_ms", h.getValueAtPercentile(99.9) / 1000.0, "ms");
    report.result("status_503", closed.status503() + fixed.status503(), "responses");
    report.result("other_errors", closed.otherStatus() + closed.ioErrors() + fixed.otherStatus() + fixed.ioErrors(),
        "responses");
    Histogram f = fixed.latencyMicros();
    report.result("fixed_rate_events_per_s", fixed.acceptedPerSecond(), "events/s");
    report.result("fixed_rate_ack_p50_ms", f.getValueAtPercentile(50) / 1000.0, "ms");
    report.result("fixed_rate_ack_p99_ms", f.getValueAtPercentile(99) / 1000.0, "ms");
    report.result("fixed_rate_ack_p99_9_ms", f.getValueAtPercentile(99.9) / 1000.0, "ms");
    report.result("fixed_rate_writer_commit_p99_ms", fixedMetrics[0], "ms");
    report.result("fixed_rate_writer_sync_p99_ms", fixedMetrics[1], "ms");
    report.result("wal_restarts", fixedMetrics[2], "checkpoints");
    report.result("wal_restarts_refused", fixedMetrics[3], "checkpoints");
    report.result("wal_passive_checkpoints", fixedMetrics[4], "checkpoints");
    report.result("wal_max_mib_closed_loop", walClosed / (double) (1 << 20), "MiB");
    report.result("wal_max_mib_fixed_rate", walFixed / (double) (1 << 20), "MiB");
    report.result("acked_accepted_events", acceptedEver, "events");
    report.result("stored_events", stored, "events");
    report.result("stored_minus_acked", stored - acceptedEver, "events");
    double collectorCores = CpuMeter.cores(cpu[0], cpu[1], 0);
    report.result("collector_cpu_cores", collectorCores, "cores");
    report.result("collector_cpu_us_per_event", collectorCores * 1e6 / closed.acceptedPerSecond(), "us");
    StringBuilder perThread = new StringBuilder();
    for (CpuMeter.GroupCores t : threadCores) {
      double share = t.cores() / collectorCores;
      double perEvent = t.cores() * 1e6 / closed.acceptedPerSecond();
      perThread.append(String.format("%5.1f%%  %.3f cores (%.0f%% in the kernel)  %5.1f us/event  %s%n",
          100 * share, t.cores(), 100 * t.systemCores() / t.cores(), perEvent, t.group()));
      String key = t.group().replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_|_$", "").toLowerCase();
      if (share >= 0.02) {
        report.result("collector_cpu_us_per_event.thread." + key, perEvent, "us");
      }
    }
    report.note("collector_disk_bytes_per_event", "write_bytes of /proc/<pid>/io (bytes the collector "
        + "sent to the storage layer: WAL pages, checkpoints into the database file) over the measured "
        + "window, per event accepted in it");
    report.note("collector_cpu_by_thread", "from /proc/<pid>/task/*/stat over the measured window, "
        + "kernel thread names (15 characters), pool numbers folded:\n" + perThread);
    progress("collector: CPU by thread over the measured window (from /proc/<pid>/task):");
    perThread.toString().lines().forEach(line -> progress("  " + line));
    report.result("loadgen_cpu_cores", CpuMeter.cores(cpu[0], cpu[1], 1), "cores");
    long diskBytes = CpuMeter.bytesWritten(cpu[0], cpu[1], 0, true);
    if (diskBytes >= 0) {
      double events = closed.acceptedPerSecond() * (cpu[1].nanos() - cpu[0].nanos()) / 1e9;
      report.result("collector_disk_bytes_per_event", diskBytes / events, "B");
    }
    report.result("machine_cpu_busy", 100 * CpuMeter.machineBusy(cpu[0], cpu[1]), "%");
    report.result("machine_iowait", 100 * CpuMeter.ioWait(cpu[0], cpu[1]), "%");
    report.result("heap_peak_before_gc_mib", gc[0] / 1048576.0, "MiB");
    report.result("heap_peak_after_gc_mib", gc[1] / 1048576.0, "MiB");
    report.result("gc_count", gc[2], "collections");
    rss.ifPresent(v -> report.result("rss_peak_mib", v / 1048576.0, "MiB"));
    report.result("exit_status", exit, "");
    if (jfrFile != null) {
      report.note("jfr", jfrFile + " (the closed-loop phase, warm-up included)");
      for (var section : JfrTop.summarize(jfrFile, 12).entrySet()) {
        StringBuilder b = new StringBuilder();
        for (var e : section.getValue()) {
          b.append(String.format("%5.1f%%  %s%n", e.getValue(), e.getKey()));
        }
        report.note("jfr." + section.getKey(), b.toString());
        System.out.println("# JFR samples by " + section.getKey() + ":");
        b.toString().lines().forEach(line -> System.out.println("#   " + line));
      }
    }

    progress("collector: queries, " + runs + " runs each (" + longRuns + " for 1-hour windows)");
    for (QueryBench.Timing t : new QueryBench(db).run(runs, longRuns, history[0], history[1])) {
      report.row("query " + t.name(), "rows " + Report.format(t.meanRows()), t.runs(), "", "", "", "",
          t.medianMs(), t.p99Ms(), "", "");
      report.result("query." + t.name() + ".median_ms", t.medianMs(), "ms");
      report.result("query." + t.name() + ".p99_ms", t.p99Ms(), "ms");
      report.result("query." + t.name() + ".rows", t.meanRows(), "rows");
      report.note("plan." + t.name(), t.sql() + "  =>  " + t.plan());
    }
    return report;
  }

  private static void addPhase(Report report, String name, LoadGenerator.Outcome o) {
    Histogram h = o.latencyMicros();
    report.row(name, o.acceptedPerSecond(), o.requests(), o.status202(), o.status503(), o.otherStatus(),
        o.ioErrors(), h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
  }

  private long prepareDatabase(Path db, long n) throws Exception {
    return Preload.cached(common.workDir(), n, preload.fresh, db, message -> progress("collector: " + message));
  }

  /** The earliest and latest occurred_at of the preloaded history. */
  private static Instant[] historyBounds(Path db) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
        Statement s = c.createStatement()) {
      Instant[] out = new Instant[2];
      try (ResultSet rs = s.executeQuery("SELECT occurred_at FROM events ORDER BY occurred_at LIMIT 1")) {
        rs.next();
        out[0] = io.theeye.model.Timestamps.parse(rs.getString(1));
      }
      try (ResultSet rs = s.executeQuery("SELECT occurred_at FROM events ORDER BY occurred_at DESC LIMIT 1")) {
        rs.next();
        out[1] = io.theeye.model.Timestamps.parse(rs.getString(1));
      }
      return out;
    } catch (io.theeye.model.Timestamps.InvalidTimestampException e) {
      throw new SQLException("unexpected occurred_at in the database", e);
    }
  }

  private static long countEvents(Path db) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** rows/s of the newest sqlite-ceiling result file, if any. */
  private Optional<Double> latestCeiling() throws IOException {
    Path dir = common.resultsDir();
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    Optional<Path> newest;
    try (Stream<Path> files = Files.list(dir)) {
      newest = files.filter(p -> p.getFileName().toString().startsWith("sqlite-ceiling"))
          .max(Comparator.comparing(p -> p.toFile().lastModified()));
    }
    if (newest.isEmpty()) {
      return Optional.empty();
    }
    JsonNode doc = JSON_MAPPER.readTree(newest.get().toFile());
    for (JsonNode r : doc.path("results")) {
      if (r.path("name").asText().equals("sqlite-ceiling.rows_per_s")) {
        progress("collector: ceiling from " + newest.get());
        return Optional.of(r.path("value").asDouble());
      }
    }
    return Optional.empty();
  }
}
