package io.theeye.client;

/**
 * What one {@link EyeClient#flush()} waited for, by outcome: the events tracked before the flush that
 * were still queued or in flight when it was called, counted once each.
 *
 * <pre>{@code
 * FlushResult r = eye.flush().join();
 * if (r.failed() > 0) {
 *   log.warn("{} of {} events not delivered", r.failed(), r.total());
 * }
 * }</pre>
 *
 * @param acknowledged events in batches the collector answered {@code 202} for
 * @param accepted of those, events the collector stored for the first time
 * @param duplicates of those, events the collector already had (stored once, not twice)
 * @param rejected of those, events the collector recorded as rejected (e.g. a schema violation)
 * @param failed events the client gave up on (refused, out of retries, or abandoned at close); the
 *     {@link EyeListener} hears why
 * @param kept events not yet delivered that stay in the outbox
 *     and are re-sent later (always 0 without an outbox)
 */
public record FlushResult(
    long acknowledged, long accepted, long duplicates, long rejected, long failed, long kept) {

  /** Nothing to wait for. */
  public static final FlushResult EMPTY = new FlushResult(0, 0, 0, 0, 0, 0);

  /** All events this flush waited for. */
  public long total() {
    return acknowledged + failed + kept;
  }

  /** Whether every event this flush waited for reached the collector. */
  public boolean allAcknowledged() {
    return failed == 0 && kept == 0;
  }

  /** The sum of two results. */
  public FlushResult plus(FlushResult other) {
    return new FlushResult(acknowledged + other.acknowledged, accepted + other.accepted,
        duplicates + other.duplicates, rejected + other.rejected, failed + other.failed, kept + other.kept);
  }
}
