package io.theeye.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One benchmark suite: a picocli sub-command that produces a {@link Report}, prints it, and writes it
 * as JSON.
 */
abstract class Suite implements Callable<Integer> {

  /** Options every suite takes. */
  static final class Common {

    @Option(names = "--quick", description = "Short runs for development (all suites in under 3 minutes).")
    boolean quick;

    @Option(names = "--results-dir", paramLabel = "DIR",
        description = "Where the JSON results go (default: eye-bench/results, or ./results outside the repo).")
    Path resultsDir;

    @Option(names = "--work-dir", paramLabel = "DIR",
        description = "Scratch space for databases and logs; must be on a real disk "
            + "(default: eye-bench/target/bench-work, or ./bench-work outside the repo).")
    Path workDir;

    Path resultsDir() {
      return resultsDir != null ? resultsDir : inRepoOrHere("eye-bench/results", "results");
    }

    Path workDir() {
      return workDir != null ? workDir : inRepoOrHere("eye-bench/target/bench-work", "bench-work");
    }

    /** The arguments that hand these options on to another suite (used by {@code all}). */
    String[] asArgs() {
      List<String> args = new ArrayList<>();
      if (quick) {
        args.add("--quick");
      }
      args.add("--results-dir=" + resultsDir());
      args.add("--work-dir=" + workDir());
      return args.toArray(String[]::new);
    }

    private static Path inRepoOrHere(String inRepo, String here) {
      return Files.isDirectory(Path.of("eye-bench")) ? Path.of(inRepo) : Path.of(here);
    }
  }

  @Mixin
  Common common = new Common();

  private Report last;

  /** Runs the suite and returns what it found. */
  abstract Report run() throws Exception;

  /** The report of the last {@link #call()}, or {@code null}. */
  Report lastReport() {
    return last;
  }

  boolean quick() {
    return common.quick;
  }

  /** Runs, prints the report, writes its JSON file. */
  @Override
  public Integer call() throws Exception {
    Files.createDirectories(common.workDir());
    Report report = run();
    report.print(System.out);
    Path file = report.write(common.resultsDir());
    System.out.println("# written " + file);
    last = report;
    return 0;
  }

  /** Progress for the person watching; not part of the results. */
  static void progress(String message) {
    System.out.println("# " + message);
    System.out.flush();
  }
}
