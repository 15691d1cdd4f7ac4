package io.theeye.collector;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;

/** The operator's subcommands of {@code eye-collector.jar}: {@code backup}, {@code replay}. */
final class OperationsCommands {

  private OperationsCommands() {}

  /**
   * Adds the subcommands to the collector's command line. They take their options from their own
   * command line only: the collector's config file and {@code EYE_*} variables are not theirs.
   */
  static void addTo(CommandLine cmd, PrintStream out, PrintStream err) {
    for (Object command : new Object[] {new BackupCommand(out, err), new ReplayCommand(out, err)}) {
      CommandLine sub = new CommandLine(command);
      cmd.addSubcommand(sub);
      sub.setDefaultValueProvider(arg -> null);
      sub.setOut(new PrintWriter(out, true));
      sub.setErr(new PrintWriter(err, true));
      sub.setCaseInsensitiveEnumValuesAllowed(true);
    }
  }
}
