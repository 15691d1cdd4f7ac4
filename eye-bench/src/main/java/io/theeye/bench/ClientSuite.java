package io.theeye.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The Eye's client against Segment's analytics-java 3.5.4, alternately (E, S, E, S, …), each in a
 * fresh child JVM sending the same events to the same {@link TrivialServer}: delivered events/s
 * (from the first measured call until the server has counted the last event), caller-side cost per
 * call, and peak heap. The ratio Eye/Segment is taken per pair, so both sides of a ratio saw the same
 * machine noise, and its median is the headline.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
    description = "The Eye's client vs Segment's, alternately, to one trivial local HTTP server.")
final class ClientSuite extends Suite {

  @Option(names = "--events", description = "Events per run (default 200,000; --quick 50,000).")
  Integer events;

  @Option(names = "--warmup", description = "Unmeasured events each child sends first (default: a tenth of --events).")
  Integer warmup;

  @Option(names = "--pairs", description = "Pairs of runs, Eye then Segment (default 3).")
  int pairs = 3;

  @Option(names = "--clients", split = ",", paramLabel = "eye|segment",
      description = "Which clients each pair runs, in order (default eye,segment; eye-outbox is The Eye "
          + "with its disk outbox on; each against segment gives a ratio).")
  List<String> clients = List.of("eye", "segment");

  @Option(names = "--child-xmx", description = "Heap limit of each client's JVM (default 1g, for both).")
  String childXmx = "1g";

  @Option(names = "--eye-gzip-threshold", paramLabel = "BYTES",
      description = "Override The Eye's gzipThreshold (default: the client's own, 4096; a huge value "
          + "turns gzip off, to see what compression costs on a local link).")
  Integer eyeGzipThreshold;

  @Option(names = "--jfr", description = "Record each client JVM with JFR (settings=profile) into the work dir "
      + "and summarize where its CPU samples went.")
  boolean jfr;

  @Option(names = "--timeout", description = "Seconds to wait for one run's delivery (default 180).")
  int timeoutSeconds = 180;

  @Option(names = "--server-warmup", paramLabel = "REQUESTS",
      description = "Requests of each client's format the parent sends its own trivial server before the "
          + "first pair, to compile the server's code before anyone is measured (default 500; 0: none).")
  int serverWarmup = 500;

  private final java.util.Map<String, String> cpuByThread = new java.util.LinkedHashMap<>();

  /** One child run's figures. */
  record Run(String impl, int pair, double deliveredPerSecond, boolean complete, double callNsMean,
      long callNsP50, long callNsP99, double callBytes, long heapPeakUsed, long heapPeakAfterGc, long dropped,
      double cpuMicrosPerEvent, double eventsPerRequest, double wireBytesPerEvent, double gzipShare,
      double diskBytesPerEvent) {}

  @Override
  Report run() throws Exception {
    int n = events != null ? events : quick() ? 50_000 : 200_000;
    int w = warmup != null ? warmup : n / 10;
    Report report = new Report("client", quick());
    report.parameter("events", n).parameter("warmup_events", w).parameter("pairs", pairs)
        .parameter("child_xmx", childXmx).parameter("segment_version", "3.5.4")
        .parameter("eye_gzip_threshold", eyeGzipThreshold == null ? "default" : eyeGzipThreshold)
        .parameter("server_warmup_requests", serverWarmup);
    report.note("delivered_per_s", "events / (server's nanoTime when it counted the last event - "
        + "child's nanoTime before the first measured call); same monotonic clock, same machine");
    report.note("call_ns", "caller-thread time per track()/enqueue() call: mean of the whole loop, and "
        + "p50/p99 of per-call System.nanoTime() deltas (each delta includes ~20-30 ns of timer cost)");
    report.note("call_bytes", "bytes allocated on the calling thread per call (ThreadMXBean)");
    report.note("cpu_us_per_event", "the client JVM's CPU time (every thread: caller, sender, HTTP, GC, "
        + "JIT) from the first measured call until the server counted the last event, per event; robust to "
        + "other tenants on the machine, unlike the rates");
    report.note("cpu_by_thread", "the client JVM's threads over the measured phase, from /proc/<pid>/task "
        + "(kernel thread names, 15 characters, pool numbers folded), per event");
    report.note("wire", "seen by the server over the measured phase: events per request, request body "
        + "bytes per event as sent, and the share of requests gzipped (Segment 3.5.4 never gzips; The Eye "
        + "gzips bodies from 4 KiB by default)");
    report.note("heap", "child JVM heap: peak used sampled every 5 ms (includes garbage), and peak "
        + "occupancy right after a GC (what the client retained); measured phase only");
    report.columns("pair", "client", "delivered ev/s", "call ns mean", "call ns p50", "call ns p99",
        "call B", "CPU us/event", "heap peak MiB", "after-GC peak MiB", "dropped", "ev/req", "wire B/ev", "gzip",
        "disk B/ev");
    report.note("disk_bytes_per_event", "eye-outbox only: bytes the outbox wrote to its segment files over "
        + "the measured phase (records of JSON + 8 bytes of framing, segment headers), per event; the "
        + "outbox is in a fresh directory under java.io.tmpdir");

    List<Run> runs = new ArrayList<>();
    cpuByThread.clear();
    try (TrivialServer server = new TrivialServer()) {
      progress("client: trivial server on " + server.baseUrl());
      if (serverWarmup > 0) {
        long counted = server.warmUp(serverWarmup);
        progress("client: server warmed up with " + serverWarmup + " requests of each client's format ("
            + counted + " events)");
      }
      for (int pair = 1; pair <= pairs; pair++) {
        for (String impl : clients) {
          progress("client: pair " + pair + ", " + impl + ", " + n + " events");
          Run r = runOnce(server, impl, pair, w, n);
          runs.add(r);
          report.row(pair, impl + (r.complete() ? "" : " (INCOMPLETE)"), r.deliveredPerSecond(), r.callNsMean(),
              r.callNsP50(), r.callNsP99(), r.callBytes(), r.cpuMicrosPerEvent(), r.heapPeakUsed() / 1048576.0,
              r.heapPeakAfterGc() / 1048576.0, r.dropped(), r.eventsPerRequest(), r.wireBytesPerEvent(),
              String.format("%.0f%%", 100 * r.gzipShare()), r.diskBytesPerEvent());
        }
      }
    }

    cpuByThread.forEach((run, text) -> report.note("cpu_by_thread." + run, text));
    if (clients.contains("segment")) {
      for (String impl : clients) {
        if (impl.equals("segment")) {
          continue;
        }
        String key = "ratio_" + impl.replace('-', '_') + "_over_segment";
        double[] ratios = new double[pairs];
        for (int p = 0; p < pairs; p++) {
          ratios[p] = rate(runs, impl, p + 1) / rate(runs, "segment", p + 1);
          report.result(key + ".pair" + (p + 1), ratios[p], "x");
        }
        report.result(key + ".median", median(ratios), "x");
      }
    }
    for (String impl : clients) {
      List<Run> mine = runs.stream().filter(r -> r.impl().equals(impl)).toList();
      report.result(impl + ".delivered_per_s.median",
          median(mine.stream().mapToDouble(Run::deliveredPerSecond).toArray()), "events/s");
      report.result(impl + ".call_ns_mean.median", median(mine.stream().mapToDouble(Run::callNsMean).toArray()), "ns");
      report.result(impl + ".call_ns_p50.median", median(mine.stream().mapToDouble(Run::callNsP50).toArray()), "ns");
      report.result(impl + ".cpu_us_per_event.median",
          median(mine.stream().mapToDouble(Run::cpuMicrosPerEvent).toArray()), "us");
      report.result(impl + ".call_bytes.median", median(mine.stream().mapToDouble(Run::callBytes).toArray()), "B");
      report.result(impl + ".heap_peak_used.max",
          mine.stream().mapToDouble(Run::heapPeakUsed).max().orElse(0) / 1048576.0, "MiB");
      report.result(impl + ".heap_peak_after_gc.max",
          mine.stream().mapToDouble(Run::heapPeakAfterGc).max().orElse(0) / 1048576.0, "MiB");
      report.result(impl + ".events_per_request.median",
          median(mine.stream().mapToDouble(Run::eventsPerRequest).toArray()), "events");
      report.result(impl + ".wire_bytes_per_event.median",
          median(mine.stream().mapToDouble(Run::wireBytesPerEvent).toArray()), "B");
      report.result(impl + ".dropped.total", mine.stream().mapToLong(Run::dropped).sum(), "events");
      if (impl.equals("eye-outbox")) {
        report.result(impl + ".disk_bytes_per_event.median",
            median(mine.stream().mapToDouble(Run::diskBytesPerEvent).toArray()), "B");
      }
      long incomplete = mine.stream().filter(r -> !r.complete()).count();
      if (incomplete > 0) {
        report.result(impl + ".incomplete_runs", incomplete, "runs");
      }
    }
    return report;
  }

  private Run runOnce(TrivialServer server, String impl, int pair, int w, int n) throws Exception {
    long base = server.events();
    long requestsBefore = 0;
    long bytesBefore = 0;
    long gzipBefore = 0;
    CompletableFuture<Long> warmed = server.whenReached(base + w);
    Path logFile = common.workDir().resolve("client-" + impl + "-" + pair + ".log");
    List<String> jvm = new ArrayList<>(List.of("-Xmx" + childXmx, "-XX:+UseG1GC"));
    Path jfrFile = common.workDir().resolve("client-" + impl + "-" + pair + ".jfr");
    if (jfr) {
      jvm.add("-XX:StartFlightRecording=filename=" + jfrFile + ",settings=profile");
    }
    List<String> args = new ArrayList<>(List.of(impl, server.baseUrl(), Integer.toString(w), Integer.toString(n),
        "bench-key", "bench-secret-0123456789abcdef"));
    if (eyeGzipThreshold != null) {
      args.add(Integer.toString(eyeGzipThreshold));
    }
    Run run;
    try (ChildJvm child = ChildJvm.start(jvm, ClientRunner.class, args, logFile)) {
      child.expect("WARMUP_SENT");
      warmed.get(timeoutSeconds, TimeUnit.SECONDS);
      CompletableFuture<Long> delivered = server.whenReached(base + w + n);
      requestsBefore = server.requests();
      bytesBefore = server.wireBytes();
      gzipBefore = server.gzipRequests();
      child.send("GO");
      long start = Long.parseLong(child.expect("START")[1]);
      var threadsAtStart = CpuMeter.threadTicks(child.pid());
      String[] calls = child.expect("CALLS");
      boolean complete = true;
      long end;
      try {
        end = delivered.get(timeoutSeconds, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        complete = false;
        end = System.nanoTime();
        progress("client: " + impl + " delivered only " + (server.events() - base - w) + " of " + n
            + " events in " + timeoutSeconds + " s");
      }
      var threadsAtEnd = CpuMeter.threadTicks(child.pid());
      long deliveredEvents = complete ? n : server.events() - base - w;
      StringBuilder perThread = new StringBuilder();
      for (CpuMeter.GroupCores t : CpuMeter.threadCores(threadsAtStart, threadsAtEnd, (end - start) / 1e9)) {
        double perEvent = t.cores() * (end - start) / 1e3 / Math.max(1, deliveredEvents);
        if (perEvent >= 0.05) {
          perThread.append(String.format("%5.2f us/event  %s%n", perEvent, t.group()));
        }
      }
      progress("client: " + impl + " CPU by thread (/proc, measured phase):");
      perThread.toString().lines().forEach(line -> progress("  " + line));
      cpuByThread.put(impl + "-" + pair, perThread.toString());
      long requests = server.requests() - requestsBefore;
      double perRequest = requests == 0 ? 0 : (double) deliveredEvents / requests;
      double wirePerEvent = deliveredEvents == 0 ? 0 : (double) (server.wireBytes() - bytesBefore) / deliveredEvents;
      double gzipShare = requests == 0 ? 0 : (double) (server.gzipRequests() - gzipBefore) / requests;
      child.send("DONE");
      String[] heap = child.expect("HEAP");
      run = new Run(impl, pair, deliveredEvents / ((end - start) / 1e9), complete,
          Long.parseLong(calls[1]) / (double) n, Long.parseLong(calls[2]), Long.parseLong(calls[3]),
          Long.parseLong(calls[4]) / (double) n, Long.parseLong(heap[1]), Long.parseLong(heap[2]),
          Long.parseLong(heap[3]), Long.parseLong(heap[4]) / 1000.0 / n, perRequest, wirePerEvent, gzipShare,
          heap.length > 5 ? Long.parseLong(heap[5]) / (double) n : 0);
    }
    if (jfr) {
      for (var section : JfrTop.summarize(jfrFile, 12).entrySet()) {
        System.out.println("# JFR " + impl + " samples by " + section.getKey() + ":");
        for (var e : section.getValue()) {
          System.out.printf("#   %5.1f%%  %s%n", e.getValue(), e.getKey());
        }
      }
    }
    return run;
  }

  private static double rate(List<Run> runs, String impl, int pair) {
    return runs.stream().filter(r -> r.impl().equals(impl) && r.pair() == pair).findFirst()
        .map(Run::deliveredPerSecond).orElse(Double.NaN);
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }
}
