package io.theeye.bench;

import io.theeye.collector.storage.sqlite.SqliteSync;
import io.theeye.model.Timestamps;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What retention costs ingest: a database holding two days of events (their {@code received_at}
 * spread evenly over the last 48 hours), copied afresh for every run; the real collector jar on the
 * copy, alternately without retention and with {@code --retain-events 1h}, so that nearly all of the
 * history is expired and the writer deletes in every pause of the run; an open loop at 1,000 events/s
 * against each. Each round runs both kinds, in alternating order; the medians of the rounds' p99 ack
 * latencies are compared. Rows deleted during the measured window come from the collector's own
 * {@code eye_retention_deleted_total}; the expired rows still left after the run show whether deletion
 * was busy all through it.
 */
@Command(name = "retention", mixinStandardHelpOptions = true,
    description = "Ack latency at a fixed rate on 2 days of events, with and without --retain-events 1h.")
final class RetentionSuite extends Suite {

  private static final Pattern DELETED_EVENTS =
      Pattern.compile("(?m)^eye_retention_deleted_total\\{table=\"events\"} (\\S+)$");

  @Option(names = "--events", description = "Events preloaded (default 4,000,000, enough that deletion lasts the whole run; --quick 200,000).")
  Long events;

  @Option(names = "--history-hours", description = "Hours the preloaded received_at spans, ending now (default 48).")
  int historyHours = 48;

  @Option(names = "--window-minutes", description = "The retention window, --retain-events Nm (default 60).")
  int windowMinutes = 60;

  @Option(names = "--rounds", description = "Pairs of runs, without and with retention (default 3; --quick 1).")
  Integer rounds;

  @Mixin
  CollectorRunOptions opts = new CollectorRunOptions();

  /** One run's figures beside its row. */
  private record Run(double p50, double p99, double p999, long status503, long errors, long deleted, long expiredLeft) {}

  @Override
  Report run() throws Exception {
    long n = events != null ? events : quick() ? 200_000 : 4_000_000;
    Duration rateDuration = opts.rateDuration(quick());
    Duration warmup = Duration.ofSeconds(quick() ? 3 : 5);
    int pairs = rounds != null ? rounds : quick() ? 1 : 3;
    Duration history = Duration.ofHours(historyHours);
    Duration window = Duration.ofMinutes(windowMinutes);
    Report report = new Report("retention", quick());
    report.parameter("preload_events", n).parameter("history_hours", historyHours)
        .parameter("retain_events", windowMinutes + "m").parameter("fixed_rate_events_per_s", opts.rate)
        .parameter("fixed_rate_s", rateDuration.toSeconds()).parameter("warmup_s", warmup.toSeconds())
        .parameter("rounds", pairs).parameter("connections", opts.connections)
        .parameter("events_per_request", opts.batchEvents).parameter("xmx", opts.xmx)
        .parameter("collector_args", opts.collectorArgs);
    report.note("ack_latency", "open loop: request send to response received, from each request's intended send "
        + "time; p50/p99/p99.9 per run, the median over the rounds of each kind");
    report.note("runs", "every run: a fresh copy of the same preloaded file, a fresh collector, " + warmup.toSeconds()
        + " s at the rate unmeasured, then the measured window; deletion starts when the collector does");
    report.note("deleted", "eye_retention_deleted_total{table=\"events\"} at the end of the measured window minus "
        + "at its start");
    report.note("expired_left", "events with received_at older than the window left after the run: above 0 "
        + "means deletion never ran out of work");
    report.note("load_average", "/proc/loadavg (1 minute) when each run started: other jobs share the machine");

    Path work = common.workDir();
    Path preloaded = work.resolve("retention-preload.db");
    Path db = work.resolve("retention.db");
    SqliteCeilingSuite.deleteDb(preloaded);
    progress("retention: preloading " + n + " events spanning the last " + historyHours + " h into " + preloaded);
    long start = System.nanoTime();
    long count = SqlitePreload.preload(preloaded, n, SqliteSync.NORMAL, 42, Instant.now(), history.dividedBy(n));
    progress(String.format("retention: preloaded %d events in %.0f s", count, (System.nanoTime() - start) / 1e9));
    report.result("preload_events", count, "events");

    report.columns("run", "events/s", "requests", "202", "503", "other", "io err", "p50 ms", "p99 ms", "p99.9 ms",
        "max ms", "deleted", "expired left", "load avg");
    List<Run> without = new ArrayList<>();
    List<Run> with = new ArrayList<>();
    for (int round = 1; round <= pairs; round++) {
      // The pair's order alternates, so that whatever favours a pair's first or second run favours both kinds.
      boolean retentionFirst = round % 2 == 0;
      for (boolean retain : retentionFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
        String name = (retain ? "retain " + windowMinutes + "m #" : "no retention #") + round;
        progress("retention: " + name);
        SqliteCeilingSuite.deleteDb(db);
        Files.copy(preloaded, db, StandardCopyOption.REPLACE_EXISTING);
        // The copy's 1+ GB of dirty pages would otherwise be flushed by the collector's first fsync of
        // the file, a stall inside whichever run checkpoints first: flush them before either starts.
        try (FileChannel copy = FileChannel.open(db, StandardOpenOption.WRITE)) {
          copy.force(true);
        }
        (retain ? with : without).add(runOnce(report, name, db, retain, warmup, rateDuration, window));
      }
    }

    for (String kind : new String[] {"without", "with"}) {
      List<Run> runs = kind.equals("with") ? with : without;
      report.result("ack_p50_ms_" + kind, median(runs, Run::p50), "ms");
      report.result("ack_p99_ms_" + kind, median(runs, Run::p99), "ms");
      report.result("ack_p99_9_ms_" + kind, median(runs, Run::p999), "ms");
    }
    double ratio = median(with, Run::p99) / median(without, Run::p99);
    report.result("p99_ratio_with_to_without", ratio, "x");
    report.result("within_2x", ratio <= 2 ? 1 : 0, "");
    report.result("deleted_during_run_median", median(with, r -> r.deleted()), "events");
    report.result("expired_left_min", with.stream().mapToLong(Run::expiredLeft).min().orElse(0), "events");
    List<Run> all = new ArrayList<>(without);
    all.addAll(with);
    report.result("status_503", all.stream().mapToLong(Run::status503).sum(), "responses");
    report.result("other_errors", all.stream().mapToLong(Run::errors).sum(), "responses");
    return report;
  }

  private Run runOnce(Report report, String name, Path db, boolean retain, Duration warmup, Duration rateDuration,
      Duration window) throws Exception {
    List<String> extra = new ArrayList<>(opts.collectorArgs);
    if (retain) {
      extra.addAll(List.of("--retain-events", windowMinutes + "m"));
    }
    String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    Path logs = common.workDir().resolve("retention-" + (retain ? "with" : "without"));
    LoadGenerator.Outcome o;
    long deleted;
    try (CollectorProcess collector = CollectorProcess.start(opts.collectorJar, opts.xmx, db,
            CollectorSuite.APP + ":" + CollectorSuite.KEY_ID + ":" + CollectorSuite.SECRET, extra, logs);
        LoadGenerator generator = new LoadGenerator(collector.baseUrl(), CollectorSuite.KEY_ID,
            CollectorSuite.SECRET.getBytes(StandardCharsets.UTF_8), opts.connections, opts.batchEvents)) {
      generator.fixedRate(opts.connections, opts.rate, warmup);
      long before = deletedEvents(collector.baseUrl());
      o = generator.fixedRate(opts.connections, opts.rate, rateDuration);
      deleted = deletedEvents(collector.baseUrl()) - before;
      int exit = collector.stop();
      if (exit != 0) {
        throw new IOException("the collector exited with " + exit + "; see " + logs);
      }
    }
    long left = expiredLeft(db, Instant.now().minus(window));
    Histogram h = o.latencyMicros();
    report.row(name, o.acceptedPerSecond(), o.requests(), o.status202(), o.status503(), o.otherStatus(),
        o.ioErrors(), h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0, deleted, left, load);
    progress(String.format("retention: %s: p99 %.1f ms, %d deleted, %d expired left, %d 503s", name,
        h.getValueAtPercentile(99) / 1000.0, deleted, left, o.status503()));
    return new Run(h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0, o.status503(), o.otherStatus() + o.ioErrors(), deleted, left);
  }

  /** The collector's eye_retention_deleted_total for events (0 before its first step). */
  private static long deletedEvents(String baseUrl) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics"))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    Matcher m = DELETED_EVENTS.matcher(answer.body());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  private static long expiredLeft(Path db, Instant cutoff) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
        PreparedStatement s = c.prepareStatement("SELECT count(*) FROM eye_event WHERE received_at < ?")) {
      s.setString(1, Timestamps.format(cutoff));
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> figure) {
    return ConsoleSuite.median(runs.stream().map(r -> figure.applyAsDouble(r)).toList());
  }
}
