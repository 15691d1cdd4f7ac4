package io.theeye.client.internal;

import io.theeye.client.DropReason;
import io.theeye.client.EyeCounters;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The client's live counters; {@link #snapshot} copies them. Internal, not for public use. */
final class Counters {
  final LongAdder tracked = new LongAdder();
  final LongAdder sent = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder acknowledged = new LongAdder();
  final LongAdder accepted = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder failed = new LongAdder();
  private final LongAdder[] dropped = new LongAdder[DropReason.values().length];

  Counters() {
    for (int i = 0; i < dropped.length; i++) {
      dropped[i] = new LongAdder();
    }
  }

  void drop(DropReason reason) {
    dropped[reason.ordinal()].increment();
  }

  long dropped(DropReason reason) {
    return dropped[reason.ordinal()].sum();
  }

  EyeCounters snapshot(long pending) {
    Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      drops.put(r, dropped(r));
    }
    return new EyeCounters(tracked.sum(), drops, sent.sum(), retried.sum(), acknowledged.sum(),
        accepted.sum(), duplicates.sum(), rejected.sum(), failed.sum(), pending);
  }
}
