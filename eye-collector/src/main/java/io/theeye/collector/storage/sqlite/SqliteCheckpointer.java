package io.theeye.collector.storage.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Copies the WAL into the database file on a thread and connection of its own ({@code eye-checkpoint}),
 * so that the writer never does: the writer's connection has {@code wal_autocheckpoint=0}.
 *
 * <p>Two kinds of checkpoint, both SQLite's own:
 *
 * <ul>
 *   <li><b>Passive</b>, continuously: {@code PRAGMA wal_checkpoint(PASSIVE)} copies every frame no
 *       reader still needs, without taking any lock the writer waits for. Its cadence follows the
 *       write rate: about {@value #TARGET_FRAMES} frames (16 MiB; a quarter of the limit if that is less)
 *       between checkpoints (the interval at most doubles from one to the next), at most every
 *       {@value #MIN_INTERVAL_MILLIS} ms and at least every {@value #MAX_INTERVAL_MILLIS} ms. When the
 *       writer pauses after a checkpoint has copied the whole WAL, its next commit starts the WAL over
 *       from the beginning (SQLite does that by itself).
 *   <li><b>Restart</b>, when the WAL holds more than its limit: a writer that never pauses (the copy
 *       always trails its last commit) or readers whose snapshots pin old frames (analysts' queries
 *       that overlap leave no moment without one) keep SQLite from starting the WAL over, and it grows
 *       without bound (measured: 64 to 414 MiB in 60 s at 400 events/s under two query loops; 2.6 GB
 *       in 20 s of a closed loop). Then, after up to {@value #MAX_CATCH_UP_PASSES} more passive
 *       checkpoints (each copies what was committed during the one before; they stop once one copied
 *       at most {@value #CAUGHT_UP_FRAMES} frames, so that little is left), the writer's next
 *       transaction is held back ({@code writes}) while {@code PRAGMA wal_checkpoint(RESTART)} copies
 *       the few frames committed meanwhile, waits a bounded time for the readers of the moment to
 *       finish (new readers read the database file), and starts the WAL over; {@code TRUNCATE}
 *       instead when the file itself has outgrown the limit, so it shrinks. The first wait is
 *       {@value #FIRST_WAIT_MILLIS} ms; each refused attempt doubles it, up to {@value
 *       #MAX_WAIT_MILLIS} ms, and the next attempt comes {@value #BACKOFF_FACTOR} waits later, so
 *       commits are held back at most about a tenth of the time even by a reader that never lets go;
 *       a restart that worked keeps three quarters of its wait for the next one.
 * </ul>
 *
 * <p>Both wait, when one is due, for the writer's next quiet moment: the store says when a sync has
 * left nothing committed and unsynced and no transaction is running ({@link #writerQuiet}). A
 * checkpoint's copying and its fsync of the database file share the disk with the writer's commits
 * and WAL syncs, and lengthen the ones they overlap (measured:
 * a 5 ms sync became 7–9 ms, a request 10–20 ms, under a 20 ms checkpoint). Run in the gap after a
 * sync, a checkpoint is over before most next requests arrive. A checkpoint waits one more interval at
 * most; a writer that was not quiet once in the last interval (a burst) is not waited for at all.
 *
 * <p>Failures are logged (at most once a minute) and counted; the thread carries on.
 */
final class SqliteCheckpointer implements AutoCloseable {

  /** Frames (pages) the WAL gains between two passive checkpoints, aimed at: {@value} (16 MiB). */
  static final long TARGET_FRAMES = 4_096;

  /** Fastest passive cadence: {@value} ms. */
  static final long MIN_INTERVAL_MILLIS = 20;

  /** Slowest passive cadence: {@value} ms. */
  static final long MAX_INTERVAL_MILLIS = 1_000;

  /** Passive passes at most between the one that finds the WAL over its limit and the restart: {@value}. */
  static final int MAX_CATCH_UP_PASSES = 3;

  /** A catch-up pass that copied no more frames than this leaves the restart little: {@value} (1 MiB). */
  static final long CAUGHT_UP_FRAMES = 256;

  /** Bytes of one WAL frame: a 4 KiB page and its 24-byte header. */
  static final long FRAME_BYTES = 4_096 + 24;

  /** The first bounded wait of a restarting checkpoint: {@value} ms. */
  static final long FIRST_WAIT_MILLIS = 10;

  /** The longest bounded wait of a restarting checkpoint: {@value} ms. */
  static final long MAX_WAIT_MILLIS = 500;

  /** After a refused restart, the next comes no sooner than this many of its waits later. */
  static final long BACKOFF_FACTOR = 10;

  private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  private static final Logger LOG = LoggerFactory.getLogger(SqliteCheckpointer.class);

  /** Where each checkpoint's duration goes, at DEBUG: on with {@code EYE_LOG_TIMINGS=DEBUG}. */
  private static final Logger TIMING_LOG = LoggerFactory.getLogger("io.theeye.collector.timing");

  private final Path database;
  private final Path wal;
  private final long walLimitBytes;
  private final long targetFrames;
  private final Lock writes;
  private final Connection connection;
  private final Statement statement;
  private final Thread thread;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Condition quiet = lock.newCondition();
  private boolean stopped;
  /** Guarded by {@code lock}: the checkpoint thread waits on {@code quiet}, so a quiet moment signals. */
  private boolean waitingForQuiet;
  /** Guarded by {@code lock}: quiet moments so far, and when the last one was. */
  private long quietMoments;
  private long lastQuietNanos = System.nanoTime();

  private final AtomicLong passive = new AtomicLong();
  private final AtomicLong restarted = new AtomicLong();
  private final AtomicLong restartRefused = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  // Only the checkpoint thread touches these.
  private long lastFrames;
  private long lastCheckNanos;
  private long waitMillis = FIRST_WAIT_MILLIS;
  private long nextRestartNanos;
  private long lastLoggedNanos;

  /**
   * Opens a connection of its own to {@code database} (already in WAL mode) and starts the thread.
   *
   * @param synchronous the {@code PRAGMA synchronous} the checkpoints run under (a checkpoint fsyncs the
   *     WAL before it copies and the database file after, unless {@code OFF})
   * @param walLimitBytes a WAL holding more frames than this is restarted
   * @param writes held while a restart runs, so that no transaction of the writer starts meanwhile (the
   *     writer holds it around each of its transactions; fair, so a restart waits one transaction at most)
   */
  SqliteCheckpointer(Path database, String synchronous, long walLimitBytes, Lock writes) throws SQLException {
    this.database = database.toAbsolutePath();
    this.wal = Path.of(this.database + "-wal");
    this.walLimitBytes = walLimitBytes;
    this.targetFrames = Math.max(1, Math.min(TARGET_FRAMES, walLimitBytes / FRAME_BYTES / 4));
    this.writes = writes;
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(0);
    this.connection = config.createConnection("jdbc:sqlite:" + this.database);
    try {
      this.statement = connection.createStatement();
      statement.execute("PRAGMA synchronous = " + synchronous);
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    this.lastCheckNanos = System.nanoTime();
    this.thread = new Thread(this::run, "eye-checkpoint");
    thread.setDaemon(true);
    thread.start();
  }

  /** The WAL file's size in bytes now (0 when there is none). */
  long walBytes() {
    try {
      return Files.size(wal);
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      return -1;
    }
  }

  /** Everything the writer committed is synced and no transaction runs: a good moment to checkpoint. */
  void writerQuiet() {
    lock.lock();
    try {
      quietMoments++;
      lastQuietNanos = System.nanoTime();
      if (waitingForQuiet) {
        quiet.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Passive checkpoints run. */
  long passiveCheckpoints() {
    return passive.get();
  }

  /** Restarting checkpoints that started the WAL over. */
  long restarts() {
    return restarted.get();
  }

  /** Restarting checkpoints that gave up after their bounded wait because a reader still held the WAL. */
  long restartsRefused() {
    return restartRefused.get();
  }

  /** Checkpoints that failed with an error (not counting a reader holding the WAL). */
  long failures() {
    return failures.get();
  }

  private void run() {
    long interval = TimeUnit.MILLISECONDS.toNanos(MAX_INTERVAL_MILLIS / 5);
    while (awaitNext(interval)) {
      try {
        interval = checkpointOnce(interval);
      } catch (SQLException | RuntimeException e) {
        failures.incrementAndGet();
        long now = System.nanoTime();
        if (lastLoggedNanos == 0 || now - lastLoggedNanos > LOG_EVERY_NANOS) {
          lastLoggedNanos = now;
          LOG.warn("WAL checkpoint of {} failed (retrying; logged at most once a minute): {}", database,
              e.getMessage());
        }
        interval = TimeUnit.MILLISECONDS.toNanos(MAX_INTERVAL_MILLIS);
      }
    }
  }

  /**
   * Waits {@code nanos}, then for the writer's next quiet moment, at most {@code nanos} more, or until
   * closed; false once closed. The next one, not merely a quiet state: a writer that has been quiet for
   * a while is likely to start again soon, one that just became quiet is not. A writer that had no
   * quiet moment during the wait is saturated and will not have one soon: then no second wait, so
   * under a burst the checkpoints keep their cadence and the restarts have little to copy.
   */
  private boolean awaitNext(long nanos) {
    lock.lock();
    try {
      long left = nanos;
      while (!stopped && left > 0) {
        left = wake.awaitNanos(left);
      }
      left = System.nanoTime() - lastQuietNanos <= nanos ? nanos : 0;
      long seen = quietMoments;
      waitingForQuiet = true;
      try {
        while (!stopped && quietMoments == seen && left > 0) {
          left = quiet.awaitNanos(left);
        }
      } finally {
        waitingForQuiet = false;
      }
      return !stopped;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** One passive checkpoint, and a restart if the WAL holds more than its limit; the next interval. */
  private long checkpointOnce(long previousInterval) throws SQLException {
    long now = System.nanoTime();
    long[] result = checkpoint("PASSIVE");
    passive.incrementAndGet();
    long frames = result[1];
    // A WAL that restarted since the last look holds only frames written since then.
    long added = frames >= lastFrames ? frames - lastFrames : frames;
    double perNano = added / (double) Math.max(1, now - lastCheckNanos);
    lastFrames = frames;
    lastCheckNanos = now;
    boolean over = frames * FRAME_BYTES > walLimitBytes;
    if (over && now >= nextRestartNanos) {
      // Copy what was committed during that pass too, unhindered, and again while a pass still finds
      // much to copy, so that the restart has little left to copy while it holds the writer back.
      long[] last = result;
      for (int pass = 0; pass < MAX_CATCH_UP_PASSES; pass++) {
        long[] next = checkpoint("PASSIVE");
        passive.incrementAndGet();
        boolean startedOver = next[1] < last[1];
        long copied = startedOver ? next[2] : next[2] - last[2];
        last = next;
        if (startedOver || copied <= CAUGHT_UP_FRAMES) {
          break;
        }
      }
      over = !restart();
    }
    // Slow down gradually (a pause in the writes is not the end of a burst), speed up at once.
    long interval = Math.min(2 * previousInterval, perNano > 0 ? (long) (targetFrames / perNano) : Long.MAX_VALUE);
    if (over) {
      // Still over the limit: come back when the next restart is due.
      interval = Math.min(interval, nextRestartNanos - System.nanoTime());
    }
    return Math.max(TimeUnit.MILLISECONDS.toNanos(MIN_INTERVAL_MILLIS),
        Math.min(TimeUnit.MILLISECONDS.toNanos(MAX_INTERVAL_MILLIS), interval));
  }

  /** Holds the writer back and restarts the WAL, waiting up to the current wait for readers; true if done. */
  private boolean restart() throws SQLException {
    String mode = walBytes() > walLimitBytes ? "TRUNCATE" : "RESTART";
    long[] result;
    writes.lock();
    try {
      statement.execute("PRAGMA busy_timeout = " + waitMillis);
      try {
        result = checkpoint(mode);
      } finally {
        statement.execute("PRAGMA busy_timeout = 0");
      }
    } finally {
      writes.unlock();
    }
    long now = System.nanoTime();
    if (result[0] == 0) {
      restarted.incrementAndGet();
      lastFrames = 0;
      // Keep most of a wait that worked: the readers of the next restart are likely alike.
      waitMillis = Math.max(FIRST_WAIT_MILLIS, waitMillis * 3 / 4);
      nextRestartNanos = now;
      return true;
    }
    restartRefused.incrementAndGet();
    nextRestartNanos = now + TimeUnit.MILLISECONDS.toNanos(waitMillis * BACKOFF_FACTOR);
    waitMillis = Math.min(MAX_WAIT_MILLIS, waitMillis * 2);
    return false;
  }

  /** {@code PRAGMA wal_checkpoint(MODE)}: busy (0 or 1), frames in the WAL, frames checkpointed. */
  private long[] checkpoint(String mode) throws SQLException {
    long start = System.nanoTime();
    long[] result;
    try (ResultSet rs = statement.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
      if (!rs.next()) {
        throw new SQLException("wal_checkpoint(" + mode + ") returned no row");
      }
      result = new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
    }
    if (TIMING_LOG.isDebugEnabled()) {
      TIMING_LOG.debug("wal_checkpoint({}) took {} ms: busy {}, {} frames in the WAL, {} copied", mode,
          String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e6), result[0], result[1], result[2]);
    }
    return result;
  }

  /** Stops the thread (after the checkpoint in progress, if any) and closes the connection. */
  @Override
  public void close() {
    lock.lock();
    try {
      stopped = true;
      wake.signalAll();
      quiet.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.debug("could not close the checkpoint connection of {}", database, e);
    }
  }
}
