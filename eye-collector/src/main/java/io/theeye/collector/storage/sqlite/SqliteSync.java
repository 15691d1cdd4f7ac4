package io.theeye.collector.storage.sqlite;

import java.util.Locale;

/**
 * How hard SQLite works to make a commit durable: the value of {@code PRAGMA synchronous} in WAL mode.
 * The collector's {@code --sync full|normal} flag maps onto this.
 */
public enum SqliteSync {

  /**
   * Every commit is synced to disk before it returns: an acknowledged event survives a power loss or an
   * operating-system crash. The default.
   */
  FULL,

  /**
   * Commits are written to the WAL but synced only at checkpoints: an acknowledged event survives a
   * crash of the collector process, but the last commits may be lost on a power loss. Faster on disks
   * with slow fsync.
   */
  NORMAL;

  /** The {@code PRAGMA synchronous} value, e.g. {@code FULL}. */
  String pragmaValue() {
    return name();
  }

  /**
   * Parses {@code full} or {@code normal}, ignoring case.
   *
   * @throws IllegalArgumentException for anything else, naming the accepted values
   */
  public static SqliteSync parse(String text) {
    for (SqliteSync sync : values()) {
      if (sync.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return sync;
      }
    }
    throw new IllegalArgumentException("sync must be full or normal, not \"" + text + "\"");
  }

  /** The lowercase form used on the command line, e.g. {@code full}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
