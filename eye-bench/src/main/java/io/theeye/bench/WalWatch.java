package io.theeye.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples the size of a SQLite database's {@code -wal} file every 50 ms on a daemon thread and keeps
 * the largest size seen since the last {@link #takeMax()}: how far the WAL grew during a phase.
 */
final class WalWatch implements AutoCloseable {

  private final Path wal;
  private final AtomicLong max = new AtomicLong();
  private final Thread thread;
  private volatile boolean stopped;

  WalWatch(Path db) {
    this.wal = Path.of(db.toAbsolutePath() + "-wal");
    this.thread = new Thread(this::run, "eye-bench-wal-watch");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (!stopped) {
      max.accumulateAndGet(size(), Math::max);
      try {
        TimeUnit.MILLISECONDS.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private long size() {
    try {
      return Files.size(wal);
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The largest WAL size sampled since the previous call, in bytes; starts the next interval. */
  long takeMax() {
    return max.getAndSet(size());
  }

  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
  }
}
