package io.theeye.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the demo tracked, one JSON object per line, in the order it was tracked: to compare with what the
 * database holds. Fields: {@code n}, {@code app}, {@code key_id}, {@code session_id}, {@code category},
 * {@code name}, {@code path}, {@code event_id} (only when the demo chose it), {@code shared} and
 * {@code expect} ({@code stored}, {@code schema_violation}, {@code future_timestamp}, {@code duplicate},
 * or {@code dropped} when the client refused the event).
 */
final class Journal implements AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final BufferedWriter writer;

  private Journal(BufferedWriter writer) {
    this.writer = writer;
  }

  /** A journal writing to {@code file} (created or truncated), or one that writes nothing for {@code null}. */
  static Journal open(Path file) throws IOException {
    return new Journal(file == null ? null : Files.newBufferedWriter(file, StandardCharsets.UTF_8));
  }

  /** Records one event the demo tracked (or tried to). */
  void record(long n, String keyId, Step step, boolean tracked) {
    if (writer == null) {
      return;
    }
    ObjectNode line = MAPPER.createObjectNode()
        .put("n", n)
        .put("app", step.site().name())
        .put("key_id", keyId)
        .put("session_id", step.sessionId())
        .put("category", step.category())
        .put("name", step.name())
        .put("path", step.path())
        .put("shared", step.shared())
        .put("expect", tracked ? step.expect().code() : "dropped");
    if (step.eventId() != null) {
      line.put("event_id", step.eventId());
    }
    try {
      writer.write(MAPPER.writeValueAsString(line));
      writer.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the journal", e);
    }
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
    }
  }
}
