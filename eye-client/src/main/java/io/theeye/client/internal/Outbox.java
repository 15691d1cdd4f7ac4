package io.theeye.client.internal;

import io.theeye.client.OutboxStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * The client's outbox: the {@link OutboxLog} while the disk works, and memory-only mode while it
 * does not. A disk error (full, read-only, deleted directory) is logged and counted; new events flow
 * through memory as without an outbox, and every {@link #RETRY_NANOS} the sender tries to open the
 * log again. The failed log is not dropped at once: it is kept read-only, {@link #draining}, until the
 * events already accepted into it are read back and sent (its open files stay readable even when the
 * directory is gone); only events that cannot be read back are lost, counted in {@code lost}. While
 * it drains it holds the directory's lock, so the same directory is reopened only after it. Also the
 * byte bound: {@code track} reserves each record's room here.
 *
 * <p>{@link #reserve}, {@link #unreserve} and {@link #status} from any thread; the rest from the
 * sender thread. Internal, not for public use.
 */
final class Outbox {

  private static final Logger log = ClientCore.LOG;

  /** How often, in memory-only mode, the sender tries the disk again: 5 s. */
  static final long RETRY_NANOS = 5_000_000_000L;

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final long syncIntervalNanos;
  private final long retryNanos;

  /** The open log, or {@code null} in memory-only mode. */
  private volatile OutboxLog open;
  /** Bumped whenever the log is let go: ranges read from an older log are not settled in a newer. */
  private int generation;
  /**
   * Logs let go after a disk error whose accepted events are still being read back, oldest first
   * (more than one only if the directory failed again after a reopen before the first drained).
   */
  private final ArrayDeque<OutboxLog> draining = new ArrayDeque<>();
  /** Callers of {@link #awaitRoom} wait here for acknowledged segments to be deleted. */
  private final RoomWaiter waiter = new RoomWaiter();
  /** Record bytes reserved by track() and not yet written. */
  private final AtomicLong reserved = new AtomicLong();
  private long lastSyncNanos = System.nanoTime();
  private long nextRetryNanos;
  /** Records appended (or found at open) and read, over every generation. */
  private long appended;
  private long read;
  private volatile long synced;
  /** Records synced by earlier generations. */
  private long syncedBase;
  private volatile long bytesWritten;
  private volatile long recovered;
  private volatile long cutBytes;
  private volatile long setAside;
  private volatile long errors;
  private volatile long lost;
  private volatile String lastError;

  private Outbox(Path dir, long maxBytes, long segmentBytes, long syncIntervalNanos, long retryNanos) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.syncIntervalNanos = syncIntervalNanos;
    this.retryNanos = retryNanos;
  }

  /**
   * Opens the outbox; a disk error starts it in memory-only mode.
   *
   * @throws IllegalStateException when another client holds the directory
   */
  static Outbox open(ClientConfig config) {
    Outbox outbox = new Outbox(config.outboxDir(), config.outboxMaxBytes(), config.outboxSegmentBytes(),
        Saturating.nanos(config.outboxSyncInterval()), Saturating.nanos(config.outboxRetryInterval()));
    try {
      outbox.attach(OutboxLog.open(outbox.dir, outbox.maxBytes, outbox.segmentBytes));
    } catch (IOException e) {
      outbox.degrade("opening it", e);
    }
    return outbox;
  }

  private void attach(OutboxLog opened) {
    if (opened.recoveredRecords() > 0) {
      log.info("outbox {}: {} event(s) from an earlier run not yet acknowledged; sending them again",
          dir, opened.recoveredRecords());
    }
    open = opened;
    appended += opened.recoveredRecords();
    recovered += opened.recoveredRecords();
    cutBytes += opened.cutBytes();
    setAside += opened.setAsideSegments();
  }

  boolean healthy() {
    return open != null;
  }

  /**
   * Reserves room for a record of {@code payload} bytes: 1 when reserved, 0 when the outbox is full,
   * -1 in memory-only mode (nothing reserved).
   */
  int reserve(int payload) {
    OutboxLog current = open;
    if (current == null) {
      return -1;
    }
    long frame = OutboxLog.FRAME_OVERHEAD + payload;
    long r;
    do {
      r = reserved.get();
      if (current.storedBytes() + r + frame > maxBytes) {
        return 0;
      }
    } while (!reserved.compareAndSet(r, r + frame));
    return 1;
  }

  /** Gives back a reservation that will not be written. */
  void unreserve(int payload) {
    reserved.addAndGet(-(OutboxLog.FRAME_OVERHEAD + payload));
  }

  /**
   * {@link #reserve}, waiting up to {@code maxWaitNanos} while the outbox is full (the blocking
   * overflow policy); returns as {@link #reserve} does, 0 when the wait ran out or {@code stop}.
   */
  int awaitRoom(int payload, long maxWaitNanos, BooleanSupplier stop)
      throws InterruptedException {
    // RoomWaiter waits while the result is negative: map full to -1, reserved to 1, memory mode to 0.
    int r = waiter.await(() -> {
      int room = reserve(payload);
      return room == 0 ? -1 : room == 1 ? 1 : 0;
    }, maxWaitNanos, stop);
    return r < 0 ? 0 : r == 1 ? 1 : -1;
  }

  /** Wakes callers waiting in {@link #awaitRoom}, e.g. because the client is closing. */
  void wakeAll() {
    waiter.wakeAll();
  }

  /**
   * Writes an accepted event to the outbox; false when it is to be sent from memory instead (memory-
   * only mode, a disk error now, or an event tracked while in memory-only mode).
   */
  boolean append(PendingEvent event) {
    if (!event.outboxReserved) {
      return false;
    }
    OutboxLog current = open;
    if (current != null) {
      try {
        current.append(event.json);
        // Counted as stored (by append) before the reservation is let go: reserve() never sees
        // the same room twice.
        unreserve(event.json.length);
        appended++;
        return true;
      } catch (IOException e) {
        degrade("writing to it", e);
      }
    }
    unreserve(event.json.length);
    event.outboxReserved = false;
    return false;
  }

  /** Records appended (or recovered) so far; a flush waits for {@link #read()} to reach it. */
  long appended() {
    return appended;
  }

  long read() {
    return read;
  }

  boolean hasUnread() {
    OutboxLog current = open;
    if (current != null && current.hasUnread()) {
      return true;
    }
    for (OutboxLog old : draining) {
      if (old.hasUnread()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The next records to send, or {@code null}: the draining logs' first (their events were accepted
   * first). The range carries the generation it was read under, for {@link #settle}.
   */
  OutboxLog.Range nextRange(int maxEvents, long maxBytes) {
    for (OutboxLog old : List.copyOf(draining)) {
      if (!old.hasUnread()) {
        continue;
      }
      try {
        OutboxLog.Range range = old.read(maxEvents, maxBytes);
        if (range != null) {
          read += range.records.size();
          range.generation = old.generation;
          return range;
        }
      } catch (IOException e) {
        loseUnread(old, e);
      }
    }
    OutboxLog current = open;
    if (current == null) {
      return null;
    }
    try {
      OutboxLog.Range range = current.read(maxEvents, maxBytes);
      if (range != null) {
        read += range.records.size();
        range.generation = generation;
      }
      return range;
    } catch (IOException e) {
      degrade("reading from it", e);
      return null;
    }
  }

  /** A batch read from generation {@code gen} is acknowledged, or refused for good. */
  void settle(OutboxLog.Range range, int gen) {
    for (OutboxLog old : draining) {
      if (old.generation != gen) {
        continue;
      }
      try {
        // Moves the checkpoint in memory; writing it is tried once the log is drained.
        old.settle(range);
      } catch (IOException e) {
        log.debug("outbox {}: deleting acknowledged segments after the disk error failed", dir, e);
      }
      if (old.drained()) {
        finishDraining(old);
      }
      return;
    }
    OutboxLog current = open;
    if (current == null || gen != generation) {
      return;
    }
    try {
      current.settle(range);
    } catch (IOException e) {
      degrade("deleting acknowledged segments", e);
    }
    waiter.released();
  }

  /** Syncs when the interval has passed; in memory-only mode, tries the disk again when it is time. */
  void tick(long now) {
    OutboxLog current = open;
    if (current == null) {
      if (now - nextRetryNanos >= 0) {
        retry(now);
      }
      return;
    }
    if (now - lastSyncNanos >= syncIntervalNanos && current.needsSync()) {
      sync(current);
      lastSyncNanos = now;
    }
  }

  /** How long the sender may park before the next sync or retry is due. */
  long nanosUntilTick(long now) {
    OutboxLog current = open;
    if (current == null) {
      return Math.max(0, nextRetryNanos - now);
    }
    return current.needsSync() ? Math.max(0, lastSyncNanos + syncIntervalNanos - now) : Long.MAX_VALUE;
  }

  private void sync(OutboxLog current) {
    try {
      current.sync();
      synced = appendedBefore(current);
      bytesWritten = current.bytesWritten();
    } catch (IOException e) {
      degrade("syncing it", e);
    }
  }

  /** Events appended by this client that the log has fsynced. */
  private long appendedBefore(OutboxLog current) {
    return syncedBase + current.syncedRecords();
  }

  private void retry(long now) {
    try {
      OutboxLog reopened = OutboxLog.open(dir, maxBytes, segmentBytes);
      try {
        // Opening only reads; a full disk would open and fail again at the first checkpoint, and
        // every retry would send the events since the last good one once more.
        reopened.checkWritable();
      } catch (IOException e) {
        reopened.close();
        throw e;
      }
      attach(reopened);
      log.info("outbox {}: the disk works again; events go to the outbox again", dir);
    } catch (IOException | IllegalStateException e) {
      nextRetryNanos = now + retryNanos;
      log.debug("outbox {}: still unusable", dir, e);
    }
  }

  private void degrade(String doing, Exception e) {
    errors++;
    lastError = doing + ": " + e;
    log.warn("outbox {}: {} failed; new events are kept in memory (bounded by maxQueueEvents) until the"
        + " disk works again", dir, doing, e);
    OutboxLog current = open;
    open = null;
    int failedGeneration = generation++;
    nextRetryNanos = System.nanoTime() + retryNanos;
    if (current != null) {
      syncedBase += current.syncedRecords();
      bytesWritten = current.bytesWritten();
      current.stopWriting();
      current.generation = failedGeneration;
      if (current.drained()) {
        current.close();
      } else {
        // Its events were accepted: they are read back and sent before the directory is let go.
        draining.add(current);
        log.info("outbox {}: the {} event(s) already in it not yet sent are read back and sent", dir,
            current.unreadRecords());
      }
    }
    // Waiters go on in memory-only mode.
    waiter.wakeAll();
  }

  /** The draining log cannot be read: its events not yet read are lost, counted and logged. */
  private void loseUnread(OutboxLog old, IOException e) {
    long n = old.unreadRecords();
    lost += n;
    // Counted as read, so that a flush waiting for them ends (and they do not count as kept).
    read += n;
    log.warn("outbox {}: {} event(s) accepted into the outbox could not be read back after the disk"
        + " error; they are lost", dir, n, e);
    draining.remove(old);
    old.close();
  }

  /** The draining log is read and settled: try to write its checkpoint, then let the directory go. */
  private void finishDraining(OutboxLog old) {
    try {
      old.sync();
    } catch (IOException e) {
      // The disk still fails: when the directory is opened again, the events sent from it since the
      // last checkpoint are sent once more, with their ids (the collector stores them once).
      log.debug("outbox {}: the checkpoint after the disk error could not be written", dir, e);
    }
    draining.remove(old);
    old.close();
  }

  /** Syncs and closes; the client is stopping. */
  void close() {
    for (OutboxLog old : List.copyOf(draining)) {
      if (old.hasUnread()) {
        log.warn("outbox {}: closing with {} event(s) not yet read back after the disk error; they stay"
            + " in the directory's files, if it still exists", dir, old.unreadRecords());
      }
      finishDraining(old);
    }
    OutboxLog current = open;
    if (current == null) {
      return;
    }
    sync(current);
    current.close();
    open = null;
  }

  OutboxStatus status() {
    OutboxLog current = open;
    long stored = current == null ? 0 : current.storedBytes();
    long written = current == null ? bytesWritten : current.bytesWritten();
    return new OutboxStatus(dir, current != null, stored, maxBytes, synced, written, recovered, cutBytes,
        setAside, errors, lost, lastError);
  }
}
