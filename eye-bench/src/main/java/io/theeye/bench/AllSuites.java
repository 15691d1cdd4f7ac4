package io.theeye.bench;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs every suite in order and repeats all their RESULT lines at the end. */
@Command(name = "all", mixinStandardHelpOptions = true,
    description = "sqlite-ceiling, collector, client, track and relay, in that order, each with its defaults.")
final class AllSuites implements java.util.concurrent.Callable<Integer> {

  @Mixin
  Suite.Common common = new Suite.Common();

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    List<Suite> suites = List.of(
        new SqliteCeilingSuite(), new CollectorSuite(), new ClientSuite(), new TrackSuite(), new RelaySuite());
    List<Report> reports = new ArrayList<>();
    int status = 0;
    for (Suite suite : suites) {
      new CommandLine(suite).parseArgs(common.asArgs());
      try {
        status |= suite.call();
        reports.add(suite.lastReport());
      } catch (Exception e) {
        System.err.println("# suite " + suite.getClass().getSimpleName() + " failed: " + e);
        e.printStackTrace();
        status = 1;
      }
    }
    System.out.println();
    System.out.println("== all (" + (System.nanoTime() - start) / 1_000_000_000 + " s)");
    for (Report r : reports) {
      for (Report.Result x : r.results()) {
        System.out.println("RESULT " + x.name() + " " + Report.format(x.value()) + " " + x.unit());
      }
    }
    return status;
  }
}
