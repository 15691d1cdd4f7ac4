package io.theeye.client.internal;

import io.theeye.client.OutboxStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * The client's outbox: the {@link OutboxLog} while the disk works, and memory-only mode while it
 * does not. A disk error (full, read-only, deleted directory) is logged and counted, the log is let
 * go, events flow through memory as without an outbox, and every {@link #RETRY_NANOS} the sender
 * tries to open the log again. Also the byte bound: {@code track} reserves each record's room here.
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
    open = opened;
    appended += opened.recoveredRecords();
    recovered += opened.recoveredRecords();
    cutBytes += opened.cutBytes();
    setAside += opened.setAsideSegments();
  }

  boolean healthy() {
    return open != null;
  }

  int generation() {
    return generation;
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
    return current != null && current.hasUnread();
  }

  /** The next records to send, or {@code null}. */
  OutboxLog.Range nextRange(int maxEvents, long maxBytes) {
    OutboxLog current = open;
    if (current == null) {
      return null;
    }
    try {
      OutboxLog.Range range = current.read(maxEvents, maxBytes);
      if (range != null) {
        read += range.records.size();
      }
      return range;
    } catch (IOException e) {
      degrade("reading from it", e);
      return null;
    }
  }

  /** A batch read from generation {@code gen} is acknowledged, or refused for good. */
  void settle(OutboxLog.Range range, int gen) {
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
    log.warn("outbox {}: {} failed; events are kept in memory (bounded by maxQueueEvents) until the"
        + " disk works again", dir, doing, e);
    OutboxLog current = open;
    open = null;
    generation++;
    nextRetryNanos = System.nanoTime() + retryNanos;
    if (current != null) {
      syncedBase += current.syncedRecords();
      bytesWritten = current.bytesWritten();
      current.close();
    }
    // Waiters go on in memory-only mode.
    waiter.wakeAll();
  }

  /** Syncs and closes; the client is stopping. */
  void close() {
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
        setAside, errors, lastError);
  }
}
