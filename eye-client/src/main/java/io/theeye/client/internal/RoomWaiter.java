package io.theeye.client.internal;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * Callers of {@code track} waiting for room in a bounded buffer (the blocking overflow policy), woken
 * when room is given back. Cheap when nobody waits: {@link #released} then reads one volatile.
 */
final class RoomWaiter {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition room = lock.newCondition();
  private volatile int waiters;

  /**
   * Calls {@code tryReserve} until it returns a value {@code >= 0}, {@code stop} becomes true, or
   * {@code maxWaitNanos} passes; returns its last result.
   */
  int await(IntSupplier tryReserve, long maxWaitNanos, BooleanSupplier stop) throws InterruptedException {
    long deadline = System.nanoTime() + maxWaitNanos;
    lock.lock();
    try {
      waiters++;
      try {
        // Counted as a waiter before the retry: a release after it signals us, one before it left
        // the room this retry sees.
        while (true) {
          int result = tryReserve.getAsInt();
          if (result >= 0 || stop.getAsBoolean()) {
            return result;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return result;
          }
          room.awaitNanos(left);
        }
      } finally {
        waiters--;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Room was given back: wakes the waiters, if any. */
  void released() {
    if (waiters > 0) {
      wakeAll();
    }
  }

  /** Wakes every waiter, e.g. because the client is closing. */
  void wakeAll() {
    lock.lock();
    try {
      room.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
