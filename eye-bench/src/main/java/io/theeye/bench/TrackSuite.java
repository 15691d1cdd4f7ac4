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
 * JMH micro-benchmarks with the GC profiler: {@code EyeClient.track()} on the caller's thread and
 * eye-model's batch parsing.
 */
@Command(name = "track", mixinStandardHelpOptions = true,
    description = "JMH: EyeClient.track() on the caller thread and EventCodec.parse of a 100-event batch (-prof gc).")
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
        .parameter("iteration_s", 1);
    report.note("alloc", "gc.alloc.rate.norm of JMH's GC profiler: bytes allocated per operation");
    report.columns("benchmark", "mode", "score", "error", "unit", "p50", "p99", "alloc B/op");

    List<RunResult> results = new ArrayList<>();
    results.addAll(jmh(ParseBenchmark.class.getName(), f, warm, i, List.of("-Xmx1g")));
    for (RunResult r : results) {
      BenchmarkResult agg = r.getAggregatedResult();
      Result primary = agg.getPrimaryResult();
      String name = r.getParams().getBenchmark().replaceFirst(".*\\.", "");
      double alloc = secondary(agg, "gc.alloc.rate.norm");
      var stats = primary.getStatistics();
      boolean sampled = r.getParams().getMode() == org.openjdk.jmh.annotations.Mode.SampleTime;
      report.row(name, r.getParams().getMode().shortLabel(), primary.getScore(), primary.getScoreError(),
          primary.getScoreUnit(), sampled ? stats.getPercentile(50) : "", sampled ? stats.getPercentile(99) : "",
          alloc);
      if (name.equals("parse100")) {
        report.result("parse100.us_per_op", primary.getScore(), "us");
        report.result("parse100.us_per_event", primary.getScore() / 100, "us");
        report.result("parse100.alloc_bytes_per_op", alloc, "B");
      }
    }
    return report;
  }

  private Collection<RunResult> jmh(String include, int forks, int warmup, int iterations, List<String> jvmArgs)
      throws Exception {
    progress("track: JMH " + include);
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include("^" + include.replace(".", "\\.") + "\\.")
        .forks(forks)
        .warmupIterations(warmup)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(iterations)
        .measurementTime(TimeValue.seconds(1))
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
