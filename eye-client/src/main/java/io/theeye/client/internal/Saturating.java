package io.theeye.client.internal;

import java.time.Duration;

/** Arithmetic on times that stops at the largest value instead of overflowing. */
final class Saturating {
  private Saturating() {}

  static long millis(Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Half of {@code Long.MAX_VALUE} at most, so that adding it to {@code System.nanoTime()} is safe. */
  static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }

  static long add(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
