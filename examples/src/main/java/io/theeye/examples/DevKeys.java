package io.theeye.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The keys a collector started with no application keeps beside its database ({@code eye.db.dev-keys}):
 * one {@code APP_ID:KEY_ID:SECRET} per line, the form the collector's {@code --app} takes.
 */
public final class DevKeys {

  /** Where the quick-start collector keeps them, in its directory: {@value}. */
  public static final String DEFAULT_FILE = "eye.db.dev-keys";

  private DevKeys() {}

  /** The file's non-blank lines, each {@code APP_ID:KEY_ID:SECRET}; none when it cannot be read. */
  public static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .map(String::strip).filter(l -> !l.isEmpty()).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The secret of {@code keyId} in the file, if it is there. */
  public static Optional<String> secretOf(Path file, String keyId) {
    return lines(file).stream()
        .map(line -> line.split(":", 3))
        .filter(parts -> parts.length == 3 && parts[1].equals(keyId) && !parts[2].isEmpty())
        .map(parts -> parts[2])
        .findFirst();
  }
}
