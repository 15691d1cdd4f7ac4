package io.theeye.model;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates time-ordered UUID version 7 identifiers (RFC 9562), used as event ids.
 *
 * <p>The first 48 bits are the Unix time in milliseconds; the next 12 bits ({@code rand_a}) are a
 * counter within the millisecond (RFC 9562 §6.2, method 1), so ids from one process sort in the order
 * they were made; the last 62 bits are random. Thread-safe and lock-free.
 */
public final class Uuid7 {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** (unix millis << 12 | counter) of the last id handed out. */
  private static final AtomicLong LAST = new AtomicLong();

  private Uuid7() {}

  /** A new UUIDv7 in its canonical 36-character lowercase form. */
  public static String next() {
    return toString(nextMostSignificant(LAST, System.currentTimeMillis()),
        ThreadLocalRandom.current().nextLong());
  }

  /** A new UUIDv7 as a {@link UUID}. */
  public static UUID nextUuid() {
    long msb = nextMostSignificant(LAST, System.currentTimeMillis());
    long lsb = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  /** The most significant 64 bits for an id made at {@code nowMillis}: time, version 7, counter. */
  static long nextMostSignificant(AtomicLong lastIssued, long nowMillis) {
    long candidate = nowMillis << 12;
    long next;
    long last;
    do {
      last = lastIssued.get();
      // Same (or an earlier, if the clock stepped back) millisecond: count up within the last one.
      next = candidate > last ? candidate : last + 1;
    } while (!lastIssued.compareAndSet(last, next));
    long millis = next >>> 12;
    long counter = next & 0xFFF;
    return (millis << 16) | 0x7000L | counter;
  }

  static String toString(long msb, long random) {
    long lsb = (random & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    // ASCII bytes, which a String keeps as they are (a char[] would be compressed into a copy).
    byte[] out = new byte[36];
    hex(out, 0, msb >>> 32, 8);
    out[8] = '-';
    hex(out, 9, msb >>> 16, 4);
    out[13] = '-';
    hex(out, 14, msb, 4);
    out[18] = '-';
    hex(out, 19, lsb >>> 48, 4);
    out[23] = '-';
    hex(out, 24, lsb, 12);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  private static void hex(byte[] out, int offset, long value, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      out[offset + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
  }
}
