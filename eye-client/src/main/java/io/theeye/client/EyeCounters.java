package io.theeye.client;

import java.util.Map;

/**
 * A snapshot of a client's counters, all counting events (not requests) since the client was built.
 *
 * <p>When the client is idle (nothing being tracked, sent or retried) these hold:
 *
 * <ul>
 *   <li>every {@code track} call is counted once: in {@code tracked} or in one of {@code dropped};
 *   <li>{@code tracked = acknowledged + failed + pending};
 *   <li>{@code acknowledged = accepted + duplicates + rejected};
 *   <li>{@code sent - retried} = events sent at least once.
 * </ul>
 *
 * While the client works, a snapshot may be a few events off between counters.
 *
 * @param tracked events {@code track} accepted
 * @param dropped events {@code track} refused, by reason (every reason present, zero or not)
 * @param sent events put on the wire, counting each attempt
 * @param retried events re-sent after a failed attempt (included in {@code sent})
 * @param acknowledged events in batches the collector answered {@code 202} for
 * @param accepted of those, events the collector stored for the first time
 * @param duplicates of those, events the collector already had (stored once, not twice)
 * @param rejected of those, events the collector recorded as rejected (e.g. a schema violation)
 * @param failed events the client gave up on: refused, out of retries, or abandoned at close
 * @param pending events accepted and not yet acknowledged or failed (queued, in flight, or waiting to be
 *     retried) that the client holds in memory; with an outbox, events written to it leave this count
 *     ({@link EyeClient#outbox()} tells what the outbox holds)
 */
public record EyeCounters(
    long tracked,
    Map<DropReason, Long> dropped,
    long sent,
    long retried,
    long acknowledged,
    long accepted,
    long duplicates,
    long rejected,
    long failed,
    long pending) {

  /** Copies {@code dropped} into an unmodifiable map. */
  public EyeCounters {
    dropped = Map.copyOf(dropped);
  }

  /** Events refused for this reason. */
  public long dropped(DropReason reason) {
    return dropped.getOrDefault(reason, 0L);
  }

  /** Events refused for any reason. */
  public long droppedTotal() {
    long total = 0;
    for (long n : dropped.values()) {
      total += n;
    }
    return total;
  }
}
