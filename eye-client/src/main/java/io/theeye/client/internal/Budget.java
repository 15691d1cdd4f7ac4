package io.theeye.client.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The room the client's events take, in events and bytes of JSON: reserved by {@code track} before an
 * event is queued, given back when its batch is delivered or given up on. So it covers everything
 * the client holds, from the queue to the last retry.
 */
final class Budget {
  private final int maxEvents;
  private final long maxBytes;
  private final int batchEvents;
  private final int batchBytes;
  private final AtomicInteger events = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();
  /** Callers of {@link #awaitRoom} wait here; {@link #release} signals only when someone waits. */
  private final RoomWaiter waiter = new RoomWaiter();

  Budget(ClientConfig config) {
    this.maxEvents = config.maxQueueEvents();
    this.maxBytes = config.maxQueueBytes();
    this.batchEvents = config.maxBatchEvents();
    this.batchBytes = config.maxBatchBytes();
  }

  /** Whether the event count alone leaves no room (a cheap early check; {@link #reserve} is exact). */
  boolean isFull() {
    return events.get() >= maxEvents;
  }

  /**
   * Reserves room for one event of {@code size} bytes. Returns -1 when there is none, 1 when the
   * sender should be woken (another batch's worth has arrived), 0 otherwise.
   */
  int reserve(int size) {
    int n;
    do {
      n = events.get();
      if (n >= maxEvents) {
        return -1;
      }
    } while (!events.compareAndSet(n, n + 1));
    long b;
    do {
      b = bytes.get();
      if (b + size > maxBytes) {
        events.decrementAndGet();
        return -1;
      }
    } while (!bytes.compareAndSet(b, b + size));
    boolean wake = (n + 1) % batchEvents == 0 || (b + size) / batchBytes != b / batchBytes;
    return wake ? 1 : 0;
  }

  /**
   * {@link #reserve}, waiting up to {@code maxWaitNanos} for room (the blocking overflow policy).
   * Returns -1 when the wait ran out or {@code stop} became true (see {@link #wakeAll}).
   */
  int awaitRoom(int size, long maxWaitNanos, BooleanSupplier stop) throws InterruptedException {
    return waiter.await(() -> reserve(size), maxWaitNanos, stop);
  }

  /** Wakes every caller waiting in {@link #awaitRoom}, e.g. because the client is closing. */
  void wakeAll() {
    waiter.wakeAll();
  }

  void release(int eventCount, long byteCount) {
    events.addAndGet(-eventCount);
    bytes.addAndGet(-byteCount);
    waiter.released();
  }

  /** Events accepted and not yet finished. */
  int pendingEvents() {
    return events.get();
  }
}
