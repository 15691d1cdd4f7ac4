package io.theeye.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPOutputStream;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * eye-web's relay with the demo shop as the server: the real {@code eye-shop.jar} as a child process
 * ({@code -Xmx256m}), its {@code EyeClient} sending to a {@link TrivialServer} that stands in for the
 * collector (so the figures are the relay's, not the collector's), and {@link RelayLoad} posting the
 * snippet's 10-event batches to {@code /eye/collect} from many sessions in a closed loop. Measures
 * collect requests and events per second, the latency of the relay's {@code 204}, the shop's CPU per
 * event, and that every relayed event reached the stand-in collector; and the size of the snippet as
 * served, plain and gzipped.
 */
@Command(name = "relay", mixinStandardHelpOptions = true,
    description = "The demo shop's eye-web relay: collect requests/s and events/s with 10-event batches, "
        + "CPU per event, and the snippet's gzipped size.")
final class RelaySuite extends Suite {

  private static final String KEY_ID = "bench-key";
  private static final String SECRET = "bench-secret-not-for-production-6f1c";

  @Option(names = "--connections", description = "Closed-loop senders, one connection each (default 8).")
  int connections = 8;

  @Option(names = "--batch-events", description = "Events per collect request (default 10).")
  int batchEvents = 10;

  @Option(names = "--sessions", description = "Browser sessions each sender rotates over (default 1000).")
  int sessions = 1000;

  @Option(names = "--duration", description = "Measured seconds (default 30; --quick 10).")
  Integer durationSeconds;

  @Option(names = "--warmup", description = "Unmeasured seconds first (default 10; --quick 5).")
  Integer warmupSeconds;

  @Option(names = "--shop-jar", description = "The demo shop's jar (default examples/target/eye-shop.jar).")
  Path shopJar = Path.of("examples/target/eye-shop.jar");

  @Option(names = "--xmx", description = "The shop's heap limit (default 256m).")
  String xmx = "256m";

  @Override
  Report run() throws Exception {
    Duration duration = Duration.ofSeconds(durationSeconds != null ? durationSeconds : quick() ? 10 : 30);
    Duration warmup = Duration.ofSeconds(warmupSeconds != null ? warmupSeconds : quick() ? 5 : 10);
    Report report = new Report("relay", quick());
    report.parameter("connections", connections).parameter("events_per_request", batchEvents)
        .parameter("sessions_per_connection", sessions).parameter("duration_s", duration.toSeconds())
        .parameter("warmup_s", warmup.toSeconds()).parameter("xmx", xmx);
    report.note("events_per_s", "events in collect requests answered 204 by the relay, per second of the "
        + "measured window; each 204 means the events were handed to the shop's EyeClient");
    report.note("latency", "request sent to 204 received, per collect request, closed loop (at saturation)");
    report.note("cpu", "from /proc over the measured window: cores used by the shop process (relay, "
        + "servlet container, and its EyeClient batching, gzipping, signing and sending to the stand-in "
        + "collector) and by this load generator; shop_cpu_us_per_event = shop cores / events per second");
    report.note("delivered", "events the stand-in collector counted once the shop's client had sent "
        + "everything (or after 60 s), against the events the relay answered 204 for; the difference is "
        + "what the shop's EyeClient dropped, counted, when its bounded buffer (10,000 events) was full: "
        + "see the shop's log in the work dir");
    report.note("snippet", "GET /eye/eye.js as the shop serves it: plain, and gzipped as the relay sends it "
        + "to a browser that accepts gzip (its own gzip of the same bytes)");

    Path work = common.workDir();
    Measured m;
    int exit;
    long[] gc;
    try (TrivialServer collector = new TrivialServer()) {
      progress("relay: starting " + shopJar + " with its client sending to a stand-in collector");
      CollectorProcess shop = CollectorProcess.startJar("shop", shopJar, xmx, List.of(
          "--host", "127.0.0.1", "--port", "0", "--collector", collector.baseUrl(),
          "--key-id", KEY_ID, "--secret", SECRET,
          // Every sender shares 127.0.0.1: lift the per-address limit; sessions keep the default.
          "--address-rate-limit", "1000000000"), work);
      try {
        m = measure(shop, collector, duration, warmup);
      } finally {
        progress("relay: SIGTERM");
        exit = shop.stop();
        gc = shop.gcHeap();
      }
    }
    return report(report, m, gc, exit);
  }

  /** What one run measured. */
  private record Measured(RelayLoad.Outcome load, CpuMeter.Reading from, CpuMeter.Reading to, long relayed,
      long delivered, int scriptBytes, int scriptGzipBytes, int scriptOwnGzipBytes, Optional<Long> rss) {}

  private Measured measure(CollectorProcess shop, TrivialServer collector, Duration duration, Duration warmup)
      throws Exception {
    try (RelayLoad load = new RelayLoad(shop.baseUrl(), connections, batchEvents, sessions)) {
      byte[] script = load.get("/eye/eye.js", false);
      byte[] served = load.get("/eye/eye.js", true);
      progress(String.format("relay: the snippet is %d bytes, %d gzipped as served", script.length, served.length));
      progress("relay: closed loop, " + connections + " connections x " + batchEvents + "-event batches, "
          + warmup.toSeconds() + " s warm-up + " + duration.toSeconds() + " s");
      CpuMeter meter = new CpuMeter(shop.pid(), ProcessHandle.current().pid());
      CpuMeter.Reading[] from = {null};
      RelayLoad.Outcome closed = load.closedLoop(connections, warmup, duration, () -> from[0] = meter.read());
      CpuMeter.Reading to = meter.read();
      long relayed = load.relayedEver();
      try {
        // The shop's client sends at least once a second: everything relayed reaches the collector soon.
        collector.whenReached(relayed).get(60, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        progress("relay: only " + collector.events() + " of " + relayed + " relayed events arrived in 60 s");
      }
      return new Measured(closed, from[0], to, relayed, collector.events(), script.length, served.length,
          gzip(script).length, shop.peakRss());
    }
  }

  private static Report report(Report report, Measured o, long[] gc, int exit) {
    RelayLoad.Outcome load = o.load();
    Histogram h = load.latencyMicros();
    report.columns("phase", "requests/s", "events/s", "requests", "204", "429", "other", "io err", "p50 ms",
        "p99 ms", "p99.9 ms", "max ms");
    report.row("closed loop", load.requestsPerSecond(), load.eventsPerSecond(), load.requests(), load.status204(),
        load.status429(), load.otherStatus(), load.ioErrors(), h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
    report.result("collect_requests_per_s", load.requestsPerSecond(), "requests/s");
    report.result("events_per_s", load.eventsPerSecond(), "events/s");
    report.result("latency_p50_ms", h.getValueAtPercentile(50) / 1000.0, "ms");
    report.result("latency_p99_ms", h.getValueAtPercentile(99) / 1000.0, "ms");
    report.result("status_429", load.status429(), "responses");
    report.result("other_errors", load.otherStatus() + load.ioErrors(), "responses");
    double shopCores = CpuMeter.cores(o.from(), o.to(), 0);
    report.result("shop_cpu_cores", shopCores, "cores");
    report.result("shop_cpu_us_per_event", shopCores * 1e6 / load.eventsPerSecond(), "us");
    report.result("loadgen_cpu_cores", CpuMeter.cores(o.from(), o.to(), 1), "cores");
    report.result("machine_cpu_busy", 100 * CpuMeter.machineBusy(o.from(), o.to()), "%");
    report.result("relayed_events", o.relayed(), "events");
    report.result("delivered_events", o.delivered(), "events");
    report.result("undelivered_events", o.relayed() - o.delivered(), "events");
    report.result("snippet_bytes", o.scriptBytes(), "B");
    report.result("snippet_gzip_bytes", o.scriptGzipBytes(), "B");
    report.result("snippet_gzip_bytes_own", o.scriptOwnGzipBytes(), "B");
    report.result("heap_peak_before_gc_mib", gc[0] / 1048576.0, "MiB");
    report.result("heap_peak_after_gc_mib", gc[1] / 1048576.0, "MiB");
    o.rss().ifPresent(v -> report.result("rss_peak_mib", v / 1048576.0, "MiB"));
    report.result("exit_status", exit, "");
    return report;
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }
}
