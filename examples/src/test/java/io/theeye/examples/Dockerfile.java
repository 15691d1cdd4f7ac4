package io.theeye.examples;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read the way the builder reads it: comments dropped, continuation lines joined, one
 * instruction per entry. Enough of the syntax for the project's own Dockerfiles, not a general parser.
 */
record Dockerfile(List<Instruction> instructions) {

  /** One instruction: its keyword in upper case and the rest of the line. */
  record Instruction(String keyword, String arguments) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)");

  static Dockerfile read(Path file) throws IOException {
    List<Instruction> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String text = current.toString().strip();
      current.setLength(0);
      if (text.isEmpty()) {
        continue;
      }
      int space = text.indexOf(' ');
      instructions.add(space < 0
          ? new Instruction(text.toUpperCase(Locale.ROOT), "")
          : new Instruction(text.substring(0, space).toUpperCase(Locale.ROOT), text.substring(space + 1).strip()));
    }
    return new Dockerfile(instructions);
  }

  /** The instructions of the last stage (after the last {@code FROM}), where the image's settings are. */
  Dockerfile finalStage() {
    int from = 0;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).keyword().equals("FROM")) {
        from = i;
      }
    }
    return new Dockerfile(instructions.subList(from, instructions.size()));
  }

  List<String> all(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
  }

  /** The arguments of the last instruction with this keyword (the one that counts), or null. */
  String last(String keyword) {
    List<String> all = all(keyword);
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  /** Every {@code ENV KEY=VALUE} of the stage, quotes removed, in order. */
  Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String args : all("ENV")) {
      Matcher m = ENV_PAIR.matcher(args);
      while (m.find()) {
        String value = m.group(2);
        if (value.startsWith("\"")) {
          value = value.substring(1, value.length() - 1).replace("\\\"", "\"");
        }
        env.put(m.group(1), value);
      }
    }
    return env;
  }

  /** An exec-form instruction's argument list ({@code ["java", "-jar", ...]}); throws for the shell form. */
  static List<String> execForm(String arguments) throws IOException {
    if (!arguments.startsWith("[")) {
      throw new IllegalArgumentException("not in exec form: " + arguments);
    }
    return JSON.readValue(arguments, new TypeReference<List<String>>() {});
  }
}
