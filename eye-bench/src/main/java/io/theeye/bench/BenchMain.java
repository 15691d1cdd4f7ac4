package io.theeye.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The single entry point of The Eye's benchmarks.
 *
 * <pre>{@code
 * ./mvnw -B -q package -DskipTests
 * java -jar eye-bench/target/eye-bench.jar all --quick      # every suite, under 3 minutes
 * java -jar eye-bench/target/eye-bench.jar collector --connections 16
 * java -jar eye-bench/target/eye-bench.jar collector-postgres --quick   # needs PostgreSQL on 127.0.0.1
 * java -jar eye-bench/target/eye-bench.jar relay --quick    # eye-web's relay in the demo shop
 * java -jar eye-bench/target/eye-bench.jar retention        # ack latency while --retain-events deletes
 * }</pre>
 *
 * <p>Every suite prints a table and {@code RESULT <name> <value> <unit>} lines and writes the same as
 * JSON under {@code eye-bench/results/}. See {@code docs/BENCHMARKS.md} for how to read the figures.
 */
@Command(
    name = "eye-bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks for The Eye. Run from the repository root after ./mvnw package.",
    subcommands = {
        SqliteCeilingSuite.class,
        CollectorSuite.class,
        ConsoleSuite.class,
        StoreSuite.class,
        PostgresCollectorSuite.class,
        ClientSuite.class,
        TrackSuite.class,
        RelaySuite.class,
        RetentionSuite.class,
        AllSuites.class,
        CommandLine.HelpCommand.class})
public final class BenchMain implements Runnable {

  private BenchMain() {}

  /** Parses the command line and runs the chosen suite; exits with its status. */
  public static void main(String[] args) {
    int status = new CommandLine(new BenchMain())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .execute(args);
    System.exit(status);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
