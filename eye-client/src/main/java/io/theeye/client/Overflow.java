package io.theeye.client;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link EyeClient#track} does when the client's buffer is full: drop the new event (the
 * default), or wait a bounded time for room.
 *
 * <ul>
 *   <li>{@link #dropNewest()} — for request-serving code: {@code track} never waits; an event that does
 *       not fit is dropped and counted as {@link DropReason#QUEUE_FULL}. A burst faster than the collector takes loses its tail, counted,
 *       and no user request gets slower.
 *   <li>{@link #blockUpTo(Duration)} — for backfills, imports and batch jobs, where the caller would
 *       rather slow down to the collector's pace than lose events: {@code track} waits up to the given
 *       time for room (in the outbox, if the client has one, and in memory), and only then drops
 *       (counted as above). Never use it on a thread that serves
 *       users: while the collector is down, every call waits the full time.
 * </ul>
 *
 * <pre>{@code
 * EyeClient backfill = EyeClient.builder()
 *     ...
 *     .overflow(Overflow.blockUpTo(Duration.ofSeconds(30)))
 *     .build();
 * }</pre>
 */
public final class Overflow {

  private static final Overflow DROP_NEWEST = new Overflow(Duration.ZERO);

  private final Duration maxWait;

  private Overflow(Duration maxWait) {
    this.maxWait = maxWait;
  }

  /** Drop the new event at once, counted; the default. */
  public static Overflow dropNewest() {
    return DROP_NEWEST;
  }

  /**
   * Wait up to {@code maxWait} for room, then drop the new event, counted.
   *
   * @throws IllegalArgumentException when {@code maxWait} is not positive
   */
  public static Overflow blockUpTo(Duration maxWait) {
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxWait.isNegative() || maxWait.isZero()) {
      throw new IllegalArgumentException("blockUpTo maxWait must be positive, was " + maxWait);
    }
    return new Overflow(maxWait);
  }

  /** How long {@code track} may wait for room: {@link Duration#ZERO} for drop-newest. */
  public Duration maxWait() {
    return maxWait;
  }

  /** Whether {@code track} may wait. */
  public boolean blocks() {
    return !maxWait.isZero();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Overflow other && maxWait.equals(other.maxWait);
  }

  @Override
  public int hashCode() {
    return maxWait.hashCode();
  }

  @Override
  public String toString() {
    return blocks() ? "blockUpTo(" + maxWait + ")" : "dropNewest";
  }
}
