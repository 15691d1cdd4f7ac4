package io.theeye.bench;

import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.sqlite.SqlitePreload;
import io.theeye.collector.storage.sqlite.SqliteSync;
import java.nio.file.Path;

/**
 * Fills a database with history through the collector's own storage code ({@link SqlitePreload}: its
 * {@code SqliteEventStore}, three applications, a thousand concurrent sessions, one event every 10 ms —
 * 100 events/s, the brief's average — ending an hour before now).
 */
final class Preload {

  private Preload() {}

  /** Fills {@code db} to {@code events} events; returns the count. */
  static long fill(Path db, long events) throws StorageException {
    // NORMAL is enough for a preload: its durability is not what is measured.
    return SqlitePreload.preload(db, events, SqliteSync.NORMAL, 42);
  }
}
