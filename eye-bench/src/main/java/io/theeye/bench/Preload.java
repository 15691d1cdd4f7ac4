package io.theeye.bench;

import java.nio.file.Path;

/** Fills a database with history through the collector's own storage code. */
final class Preload {

  private Preload() {}

  /** Fills {@code db} to {@code events} events; returns the count. */
  static long fill(Path db, long events) {
    throw new UnsupportedOperationException(
        "the collector suite needs the SQLite store (SqlitePreload), which is not in main yet");
  }
}
