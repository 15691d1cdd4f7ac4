package io.theeye.client.internal;

import io.theeye.client.DropReason;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;

/**
 * Turns drop counts into at most one log line per reason per interval: "dropped N event(s) since the
 * last report because the queue is full". Called from the sender loop, and from {@code track} once the
 * sender has stopped; never blocks. Internal, not for public use.
 */
final class DropReporter {

  /** The shortest time between two reports: {@value} seconds. */
  static final long INTERVAL_SECONDS = 10;

  private final Counters counters;
  private final Logger log;
  private final long intervalNanos = TimeUnit.SECONDS.toNanos(INTERVAL_SECONDS);
  private final long[] reported = new long[DropReason.values().length];
  /** The latest detail per reason (what was wrong with the last such event), or null. */
  private final AtomicReferenceArray<String> lastDetail = new AtomicReferenceArray<>(DropReason.values().length);
  private final ReentrantLock lock = new ReentrantLock();
  private long lastReportNanos;
  private boolean everReported;

  DropReporter(Counters counters, Logger log) {
    this.counters = counters;
    this.log = log;
  }

  /** Remembers what was wrong with the latest event dropped for {@code reason}, for the next report. */
  void note(DropReason reason, String detail) {
    lastDetail.lazySet(reason.ordinal(), detail);
  }

  /** Logs what was dropped since the last report, unless the last report is too recent. */
  void maybeReport() {
    report(false);
  }

  /** Logs what was dropped since the last report, now. */
  void reportNow() {
    report(true);
  }

  private void report(boolean force) {
    if (!lock.tryLock()) {
      return;
    }
    try {
      long now = System.nanoTime();
      if (!force && everReported && now - lastReportNanos < intervalNanos) {
        return;
      }
      boolean any = false;
      for (DropReason r : DropReason.values()) {
        long total = counters.dropped(r);
        long delta = total - reported[r.ordinal()];
        if (delta > 0) {
          reported[r.ordinal()] = total;
          any = true;
          String detail = lastDetail.getAndSet(r.ordinal(), null);
          if (detail == null) {
            log.warn("dropped {} event(s) since the last report because {}", delta, r.description());
          } else {
            log.warn("dropped {} event(s) since the last report because {} (latest: {})", delta,
                r.description(), detail);
          }
        }
      }
      if (any) {
        everReported = true;
        lastReportNanos = now;
      }
    } finally {
      lock.unlock();
    }
  }
}
