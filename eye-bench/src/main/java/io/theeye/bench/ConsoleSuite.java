package io.theeye.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the admin console costs ingest: the real collector jar on the preloaded database with
 * {@code --admin-port}, an open loop at 1,000 events/s, alternately without the console and with the
 * overview and errors pages refreshed every second (what their scripts ask: {@code /api/overview} and
 * {@code /api/errors}, each once a second). Each round runs both, in alternating order, so that drift on
 * a shared machine hits both alike; the medians of the rounds' p99 ack latencies are compared.
 */
@Command(name = "console", mixinStandardHelpOptions = true,
    description = "Ack latency at a fixed rate with and without the console's overview and errors refreshed every second.")
final class ConsoleSuite extends Suite {

  private static final String APP = CollectorSuite.APP;
  private static final String KEY_ID = CollectorSuite.KEY_ID;
  private static final String SECRET = CollectorSuite.SECRET;
  private static final List<String> PAGES = List.of("api/overview", "api/errors");

  @Mixin
  PreloadOptions preload = new PreloadOptions();

  @Mixin
  CollectorRunOptions opts = new CollectorRunOptions();

  @Option(names = "--rounds", description = "Pairs of runs, without and with the console (default 3; --quick 1).")
  Integer rounds;

  @Override
  Report run() throws Exception {
    long n = preload.count(quick());
    Duration rateDuration = opts.rateDuration(quick());
    int pairs = rounds != null ? rounds : quick() ? 1 : 3;
    Report report = new Report("console", quick());
    report.parameter("preload_events", n).parameter("fixed_rate_events_per_s", opts.rate)
        .parameter("fixed_rate_s", rateDuration.toSeconds()).parameter("rounds", pairs)
        .parameter("connections", opts.connections).parameter("events_per_request", opts.batchEvents)
        .parameter("xmx", opts.xmx).parameter("console_pages", String.join(", ", PAGES));
    report.note("ack_latency", "open loop: request send to response received, from each request's intended send "
        + "time; p99 per run, the median over the rounds of each kind");
    report.note("console", "while 'with console' runs, each page's API is fetched once a second, as its open "
        + "page does; console_p50/p99 are those answers' latencies");

    Path work = common.workDir();
    Path db = work.resolve("console.db");
    long preloaded = Preload.cached(work, n, preload.fresh, db, message -> progress("console: " + message));
    int adminPort = freePort();
    List<String> extra = new ArrayList<>(opts.collectorArgs);
    extra.addAll(List.of("--admin-port", Integer.toString(adminPort)));
    progress("console: starting " + opts.collectorJar + " on " + db + " (" + preloaded + " events), console on "
        + adminPort);
    CollectorProcess collector = CollectorProcess.start(opts.collectorJar, opts.xmx, db,
        APP + ":" + KEY_ID + ":" + SECRET, extra, work);
    report.columns("run", "events/s", "requests", "202", "503", "other", "io err", "p50 ms", "p99 ms", "p99.9 ms",
        "max ms");
    List<Double> without = new ArrayList<>();
    List<Double> with = new ArrayList<>();
    Histogram consoleLatency = new ConcurrentHistogram(3);
    AtomicLong consoleErrors = new AtomicLong();
    int exit;
    try (LoadGenerator load = new LoadGenerator(collector.baseUrl(), KEY_ID,
        SECRET.getBytes(StandardCharsets.UTF_8), opts.connections, opts.batchEvents)) {
      progress("console: warm-up at " + opts.rate + " events/s");
      load.fixedRate(opts.connections, opts.rate, Duration.ofSeconds(quick() ? 3 : 10));
      URI admin = URI.create("http://127.0.0.1:" + adminPort + "/");
      for (int round = 1; round <= pairs; round++) {
        // The pair's order alternates, so that whatever favours a pair's first or second run favours both kinds.
        boolean consoleFirst = round % 2 == 0;
        for (boolean withConsole : consoleFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
          if (!withConsole) {
            progress("console: round " + round + " without the console");
            without.add(phase(report, "without console #" + round,
                load.fixedRate(opts.connections, opts.rate, rateDuration)));
            continue;
          }
          progress("console: round " + round + " with overview and errors refreshed every second");
          ScheduledExecutorService pages = refresh(admin, consoleLatency, consoleErrors);
          try {
            with.add(phase(report, "with console #" + round, load.fixedRate(opts.connections, opts.rate, rateDuration)));
          } finally {
            pages.shutdownNow();
            pages.awaitTermination(10, TimeUnit.SECONDS);
          }
        }
      }
    } finally {
      exit = collector.stop();
    }
    double medianWithout = median(without);
    double medianWith = median(with);
    report.result("fixed_rate_ack_p99_ms_without_console", medianWithout, "ms");
    report.result("fixed_rate_ack_p99_ms_with_console", medianWith, "ms");
    report.result("p99_ratio_with_to_without", medianWith / medianWithout, "x");
    report.result("console_p50_ms", consoleLatency.getValueAtPercentile(50) / 1000.0, "ms");
    report.result("console_p99_ms", consoleLatency.getValueAtPercentile(99) / 1000.0, "ms");
    report.result("console_answers", consoleLatency.getTotalCount(), "answers");
    report.result("console_errors", consoleErrors.get(), "answers");
    report.result("exit_status", exit, "");
    return report;
  }

  /** Fetches each page's API once a second, on its own thread, as an open page does. */
  private static ScheduledExecutorService refresh(URI admin, Histogram latency, AtomicLong errors) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ScheduledExecutorService pages = Executors.newScheduledThreadPool(PAGES.size(), r -> {
      Thread t = new Thread(r, "eye-bench-console");
      t.setDaemon(true);
      return t;
    });
    for (String page : PAGES) {
      HttpRequest request = HttpRequest.newBuilder(admin.resolve(page)).timeout(Duration.ofSeconds(30)).build();
      pages.scheduleAtFixedRate(() -> {
        long start = System.nanoTime();
        try {
          HttpResponse<byte[]> answer = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
          if (answer.statusCode() != 200) {
            errors.incrementAndGet();
          }
          latency.recordValue((System.nanoTime() - start) / 1000);
        } catch (IOException e) {
          errors.incrementAndGet();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, 0, 1, TimeUnit.SECONDS);
    }
    return pages;
  }

  private static double phase(Report report, String name, LoadGenerator.Outcome o) {
    Histogram h = o.latencyMicros();
    report.row(name, o.acceptedPerSecond(), o.requests(), o.status202(), o.status503(), o.otherStatus(),
        o.ioErrors(), h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
    return h.getValueAtPercentile(99) / 1000.0;
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int m = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
