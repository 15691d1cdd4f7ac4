package io.theeye.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * JMH micro-benchmarks with the GC profiler: {@code EyeClient.track()} on the caller's thread, and
 * the client's encoding of one event (what {@code track()} serializes) and eye-model's parsing of a
 * batch.
 */
@Command(name = "track", mixinStandardHelpOptions = true,
    description = "JMH: EyeClient.track() on the caller thread, EventEncoder.encode of one event and EventCodec.parse "
        + "of a 100-event batch (-prof gc).")
final class TrackSuite extends Suite {

  @Option(names = "--forks", description = "JMH forks per benchmark (default 2; --quick 1).")
  Integer forks;

  @Option(names = "--iterations", description = "Measurement iterations per fork (default 5; --quick 3).")
  Integer iterations;

  @Option(names = "--jmh-verbose", description = "Show JMH's own output.")
  boolean verbose;

  @Override
  @SuppressWarnings("rawtypes") // JMH's result API hands out raw Result types.
  Report run() throws Exception {
    int f = forks != null ? forks : quick() ? 1 : 2;
    int i = iterations != null ? iterations : quick() ? 3 : 5;
    int warm = quick() ? 2 : 5;
    Report report = new Report("track", quick());
    report.parameter("forks", f).parameter("warmup_iterations", warm).parameter("iterations", i)
        .parameter("iteration_s", 1).parameter("track_iterations", (warm * 5) + "+" + (i * 5) + " x 200 ms");
    report.note("alloc", "gc.alloc.rate.norm of JMH's GC profiler: bytes allocated per operation; for "
        + "track() this counts every thread of the JVM (the sender's batching, gzip and HTTP included) "
        + "divided by the calls, i.e. the client's whole allocation cost per event");
    report.note("track", "SampleTime mode: JMH times a sample of single calls; p50 is the median call. "
        + "The client has a 2M-event queue, flushed after each 200 ms iteration, so no call takes the drop "
        + "path and the backlog stays what a 200 ms burst leaves; "
        + "its sender delivers to a trivial in-JVM server meanwhile (competing for the 2 cores, as in an app)");
    report.columns("benchmark", "mode", "score", "error", "unit", "p50", "p99", "p99.9", "alloc B/op");

    java.nio.file.Path droppedFile = common.workDir().resolve("track-dropped.txt");
    java.nio.file.Files.deleteIfExists(droppedFile);
    List<RunResult> results = new ArrayList<>();
    // track(): short iterations, flushed between, so the backlog (and the GC work of copying it) stays
    // at what a burst of 200 ms leaves, not the millions of events a longer iteration would pile up.
    results.addAll(jmh(TrackBenchmark.class.getName(), f, warm * 5, i * 5, TimeValue.milliseconds(200),
        List.of("-Xmx2g", "-D" + TrackBenchmark.DROPPED_FILE_PROPERTY + "=" + droppedFile.toAbsolutePath())));
    results.addAll(jmh(EncodeBenchmark.class.getName(), f, warm, i, TimeValue.seconds(1), List.of("-Xmx1g")));
    results.addAll(jmh(ParseBenchmark.class.getName(), f, warm, i, TimeValue.seconds(1), List.of("-Xmx1g")));
    for (RunResult r : results) {
      BenchmarkResult agg = r.getAggregatedResult();
      Result primary = agg.getPrimaryResult();
      String name = r.getParams().getBenchmark().replaceFirst(".*\\.", "");
      if ("true".equals(r.getParams().getParam("outbox"))) {
        name += "_outbox";
      }
      double alloc = secondary(agg, "gc.alloc.rate.norm");
      var stats = primary.getStatistics();
      boolean sampled = r.getParams().getMode() == org.openjdk.jmh.annotations.Mode.SampleTime;
      report.row(name, r.getParams().getMode().shortLabel(), primary.getScore(), primary.getScoreError(),
          primary.getScoreUnit(), sampled ? stats.getPercentile(50) : "", sampled ? stats.getPercentile(99) : "",
          sampled ? stats.getPercentile(99.9) : "", alloc);
      if (name.equals("track_outbox")) {
        report.result("outbox.call_ns_p50", stats.getPercentile(50), "ns");
        report.result("outbox.call_ns_p99", stats.getPercentile(99), "ns");
        report.result("outbox.call_ns_mean", primary.getScore(), "ns");
        report.result("outbox.alloc_bytes_per_call", alloc, "B");
      }
      if (name.equals("track")) {
        report.result("call_ns_p50", stats.getPercentile(50), "ns");
        report.result("call_ns_p90", stats.getPercentile(90), "ns");
        report.result("call_ns_p99", stats.getPercentile(99), "ns");
        report.result("call_ns_p99_9", stats.getPercentile(99.9), "ns");
        report.result("call_ns_mean", primary.getScore(), "ns");
        report.result("alloc_bytes_per_call", alloc, "B");
        long dropped = 0;
        if (java.nio.file.Files.exists(droppedFile)) {
          for (String line : java.nio.file.Files.readAllLines(droppedFile)) {
            dropped += Long.parseLong(line.trim());
          }
        }
        report.result("dropped", dropped, "events");
      }
      if (name.equals("encode")) {
        report.result("encode.ns_per_event", primary.getScore(), "ns");
        report.result("encode.alloc_bytes_per_event", alloc, "B");
      }
      if (name.equals("parse100")) {
        report.result("parse100.us_per_op", primary.getScore(), "us");
        report.result("parse100.us_per_event", primary.getScore() / 100, "us");
        report.result("parse100.alloc_bytes_per_op", alloc, "B");
      }
    }
    return report;
  }

  private Collection<RunResult> jmh(String include, int forks, int warmup, int iterations, TimeValue iteration,
      List<String> jvmArgs) throws Exception {
    progress("track: JMH " + include);
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include("^" + include.replace(".", "\\.") + "\\.")
        .forks(forks)
        .warmupIterations(warmup)
        .warmupTime(iteration)
        .measurementIterations(iterations)
        .measurementTime(iteration)
        .addProfiler(GCProfiler.class)
        .jvmArgsAppend(jvmArgs.toArray(String[]::new))
        .verbosity(verbose ? VerboseMode.NORMAL : VerboseMode.SILENT)
        .shouldFailOnError(true);
    return new Runner(options.build()).run();
  }

  @SuppressWarnings("rawtypes")
  private static double secondary(BenchmarkResult result, String label) {
    for (var e : result.getSecondaryResults().entrySet()) {
      if (e.getKey().endsWith(label)) {
        return e.getValue().getScore();
      }
    }
    return Double.NaN;
  }
}
