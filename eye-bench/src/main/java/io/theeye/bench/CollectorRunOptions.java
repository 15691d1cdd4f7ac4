package io.theeye.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How the suites that drive real collectors start them and load them: the closed loop, the fixed-rate
 * run, the query runs and the collector's JVM. Shared by {@code collector} and {@code collector-postgres}.
 */
final class CollectorRunOptions {

  @Option(names = "--connections", description = "Closed-loop senders, one connection each; with several "
      + "collectors, split evenly over them (default 8).")
  int connections = 8;

  @Option(names = "--sessions", description = "Sessions of the closed loop's events: 0 (the default) for "
      + "2,000 short sessions per sender, each ending after about 20 events; N for N sessions shared by "
      + "all senders that never end (e.g. 10: few busy sessions). The collector suite only.")
  int sessions;

  @Option(names = "--batch-events", description = "Events per request (default 100).")
  int batchEvents = 100;

  @Option(names = "--duration", description = "Measured closed-loop seconds (default 60; --quick 10).")
  Integer durationSeconds;

  @Option(names = "--warmup", description = "Unmeasured closed-loop seconds first (default 10; --quick 3).")
  Integer warmupSeconds;

  @Option(names = "--rate",
      description = "Events/s of the fixed-rate (open-loop) run, on one collector (default 1000).")
  double rate = 1000;

  @Option(names = "--rate-duration", description = "Seconds of the fixed-rate run (default 30; --quick 5).")
  Integer rateSeconds;

  @Option(names = "--rate-warmup", description = "Unmeasured seconds at the fixed rate before its measured "
      + "run, so that it measures the steady state at that rate, not the end of the closed loop before it "
      + "(default 5; --quick 1). The collector suite only.")
  Integer rateWarmupSeconds;

  @Option(names = "--query-runs", description = "Runs per query (default 100; --quick 30).")
  Integer queryRuns;

  @Option(names = "--collector-jar",
      description = "The collector's shaded jar (default eye-collector/target/eye-collector.jar).")
  Path collectorJar = Path.of("eye-collector/target/eye-collector.jar");

  @Option(names = "--xmx", description = "Each collector's heap limit (default 512m).")
  String xmx = "512m";

  @Option(names = "--collector-jvm-arg", paramLabel = "ARG",
      description = "A further JVM flag for each collector, repeatable, e.g. --collector-jvm-arg=-XX:+AlwaysPreTouch.")
  List<String> collectorJvmArgs = new ArrayList<>();

  @Option(names = "--collector-arg", paramLabel = "ARG",
      description = "A further collector flag, repeatable, e.g. --collector-arg=--queue-capacity=200000.")
  List<String> collectorArgs = new ArrayList<>();

  Duration duration(boolean quick) {
    return Duration.ofSeconds(durationSeconds != null ? durationSeconds : quick ? 10 : 60);
  }

  Duration warmup(boolean quick) {
    return Duration.ofSeconds(warmupSeconds != null ? warmupSeconds : quick ? 3 : 10);
  }

  Duration rateDuration(boolean quick) {
    return Duration.ofSeconds(rateSeconds != null ? rateSeconds : quick ? 5 : 30);
  }

  Duration rateWarmup(boolean quick) {
    return Duration.ofSeconds(rateWarmupSeconds != null ? rateWarmupSeconds : quick ? 1 : 5);
  }

  int queryRuns(boolean quick) {
    return queryRuns != null ? queryRuns : quick ? 30 : 100;
  }
}
