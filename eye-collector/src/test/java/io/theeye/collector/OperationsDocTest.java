package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** docs/operations.md documents every option of the command line, and nothing that does not exist. */
class OperationsDocTest {

  private static final Path DOC = Path.of("..", "docs", "operations.md");

  /** Each subcommand and the section of the document that has its table of options. */
  private static final Map<String, String> SUBCOMMAND_SECTIONS = Map.of(
      "backup", "## Backup while running",
      "replay", "## Replaying rejected events");

  private static CommandLine commandLine() {
    PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    return new CollectorMain(Map.of(), sink, sink).commandLine(new String[0]);
  }

  private static List<OptionSpec> options() {
    return commandLine().getCommandSpec().options();
  }

  /** The rows of the configuration reference table: those starting with a flag in backquotes. */
  private static List<String> referenceRows() throws Exception {
    return rowsOf("## Configuration reference");
  }

  /** The table rows starting with a flag in backquotes in one {@code ## } section. */
  private static List<String> rowsOf(String heading) throws Exception {
    List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
    int start = lines.indexOf(heading);
    assertThat(start).as(heading).isNotNegative();
    List<String> rows = new ArrayList<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      if (line.startsWith("| `-")) {
        rows.add(line);
      }
    }
    return rows;
  }

  @Test
  void everySubcommandOptionIsDocumentedInItsSectionAndNothingElse() throws Exception {
    Map<String, CommandLine> subcommands = commandLine().getSubcommands();
    assertThat(subcommands.keySet()).containsExactlyInAnyOrderElementsOf(SUBCOMMAND_SECTIONS.keySet());
    Pattern flag = Pattern.compile("`(--?[a-z][a-z-]*)");
    List<String> wrong = new ArrayList<>();
    SUBCOMMAND_SECTIONS.forEach((name, heading) -> {
      List<String> rows;
      try {
        rows = rowsOf(heading);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      Set<String> documented = new java.util.HashSet<>();
      for (String row : rows) {
        Matcher m = flag.matcher(row.substring(0, row.indexOf('|', 1)));
        while (m.find()) {
          documented.add(m.group(1));
        }
      }
      Set<String> names = new java.util.HashSet<>();
      for (OptionSpec option : subcommands.get(name).getCommandSpec().options()) {
        names.addAll(List.of(option.names()));
        if (!option.usageHelp() && !documented.contains(option.longestName())) {
          wrong.add(name + " " + option.longestName() + " (undocumented)");
        }
      }
      documented.stream().filter(d -> !names.contains(d)).forEach(d -> wrong.add(name + " " + d + " (not an option)"));
    });
    assertThat(wrong).isEmpty();
  }

  @Test
  void everyOptionIsDocumentedWithItsConfigKeyAndEnvironmentVariable() throws Exception {
    List<String> rows = referenceRows();
    List<String> missing = new ArrayList<>();
    for (OptionSpec option : options()) {
      String flag = option.longestName();
      String row = rows.stream().filter(r -> r.startsWith("| `" + flag + "`") || r.startsWith("| `" + flag + " ")
          || r.contains(", `" + flag + "`")).findFirst().orElse(null);
      if (row == null) {
        missing.add(flag + " (no row)");
        continue;
      }
      if (option.usageHelp()) {
        continue;
      }
      String key = CollectorMain.configKey(option);
      String env = CollectorSettings.envName(key);
      if (!key.equals("config") && !row.contains("`" + key + "`")) {
        missing.add(flag + " (config key `" + key + "`)");
      }
      if (!row.contains("`" + env + "`")) {
        missing.add(flag + " (environment variable `" + env + "`)");
      }
    }
    assertThat(missing).as("undocumented in docs/operations.md").isEmpty();
  }

  @Test
  void everyDocumentedFlagExists() throws Exception {
    Set<String> names = options().stream().flatMap(o -> List.of(o.names()).stream()).collect(Collectors.toSet());
    Pattern flag = Pattern.compile("`(--?[a-z][a-z-]*)");
    List<String> unknown = new ArrayList<>();
    for (String row : referenceRows()) {
      Matcher m = flag.matcher(row.substring(0, row.indexOf('|', 1)));
      while (m.find()) {
        if (!names.contains(m.group(1))) {
          unknown.add(m.group(1));
        }
      }
    }
    assertThat(unknown).as("documented but not an option").isEmpty();
  }
}
