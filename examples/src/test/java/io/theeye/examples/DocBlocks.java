package io.theeye.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fenced code blocks of a Markdown page, each with the {@code <!-- block: ... -->} line right above it
 * that says how it is checked: {@code run by TestName (...)} or {@code not run: why}.
 */
final class DocBlocks {

  private static final Pattern MARKER = Pattern.compile("<!-- block: (.*?) -->");

  /** One block: its page, the line of its opening fence, its language, its marker (or null) and text. */
  record Block(Path file, int line, String lang, String marker, String text) {
    /** True when the marker names {@code test} as the one that runs it. */
    boolean runBy(String test) {
      return marker != null && marker.matches("run by " + Pattern.quote(test) + "\\b.*");
    }

    @Override
    public String toString() {
      return file.getFileName() + ":" + line + " (" + (lang.isEmpty() ? "text" : lang) + ")";
    }
  }

  private DocBlocks() {}

  static List<Block> of(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).startsWith("```")) {
        continue;
      }
      int open = i;
      StringBuilder text = new StringBuilder();
      for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
        text.append(lines.get(i)).append('\n');
      }
      Matcher marker = open > 0 ? MARKER.matcher(lines.get(open - 1)) : MARKER.matcher("");
      blocks.add(new Block(file, open + 1, lines.get(open).substring(3).trim(),
          marker.matches() ? marker.group(1) : null, text.toString()));
    }
    return blocks;
  }

  /** The blocks of {@code file} that {@code test} runs, in page order. */
  static List<Block> runBy(Path file, String test) throws IOException {
    return of(file).stream().filter(b -> b.runBy(test)).toList();
  }
}
