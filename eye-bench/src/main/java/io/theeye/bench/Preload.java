package io.theeye.bench;

import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.sqlite.SqliteSync;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;

/**
 * Fills a database with history through the collector's own storage code ({@link SqlitePreload}: its
 * {@code SqliteEventStore}, three applications, a thousand concurrent sessions, one event every 10 ms —
 * 100 events/s, the brief's average — ending an hour before now), and keeps it in the work directory so
 * later runs (of any suite) start from a copy.
 */
final class Preload {

  private Preload() {}

  /** Fills {@code db} to {@code events} events; returns the count. */
  static long fill(Path db, long events) throws StorageException {
    // NORMAL is enough for a preload: its durability is not what is measured.
    return SqlitePreload.preload(db, events, SqliteSync.NORMAL, 42);
  }

  /**
   * Puts a database of {@code n} preloaded events at {@code db}: a copy of the cached preload in {@code
   * workDir} when one of that size exists (building one takes minutes for 10M events), else a new one,
   * cached for later runs. With a {@code null} {@code db}, only the cache is prepared.
   *
   * @param fresh rebuild the cached preload even if it exists (after a change to the storage schema)
   * @return the number of events preloaded
   */
  static long cached(Path workDir, long n, boolean fresh, Path db, Consumer<String> progress)
      throws IOException, StorageException {
    Path cached = workDir.resolve("preload-" + n + ".db");
    Path marker = workDir.resolve("preload-" + n + ".done");
    if (fresh || !Files.exists(marker) || !Files.exists(cached)) {
      SqliteCeilingSuite.deleteDb(cached);
      Files.deleteIfExists(marker);
      progress.accept("preloading " + n + " events into " + cached + " (cached for later runs)");
      long start = System.nanoTime();
      long count = fill(cached, n);
      progress.accept(String.format("preloaded %d events in %.0f s", count, (System.nanoTime() - start) / 1e9));
      Files.writeString(marker, Long.toString(count));
    } else {
      progress.accept("reusing the cached preload " + cached + " (--fresh-preload to rebuild)");
    }
    if (db != null) {
      SqliteCeilingSuite.deleteDb(db);
      Files.copy(cached, db, StandardCopyOption.REPLACE_EXISTING);
    }
    return Long.parseLong(Files.readString(marker).trim());
  }
}
