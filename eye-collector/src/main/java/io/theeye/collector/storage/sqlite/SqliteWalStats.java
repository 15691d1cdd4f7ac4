package io.theeye.collector.storage.sqlite;

/**
 * A live view of a SQLite store's WAL and of its checkpoint thread, read by the collector's metrics
 * ({@code eye_sqlite_wal_bytes}, {@code eye_sqlite_checkpoints_total}). Every method is cheap and
 * callable from any thread.
 */
public interface SqliteWalStats {

  /** The WAL file's size in bytes now; 0 when there is none, -1 when it cannot be read. */
  long walBytes();

  /** Passive checkpoints run (they copy what no reader still needs, holding nothing back). */
  long passiveCheckpoints();

  /** Restarting checkpoints that started the WAL over once it held more than its limit. */
  long restarts();

  /** Restarting checkpoints that gave up after their bounded wait: a reader still held the WAL. */
  long restartsRefused();

  /** Checkpoints that failed with an error. */
  long checkpointFailures();
}
