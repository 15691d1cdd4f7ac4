package io.theeye.client.internal;

import io.theeye.client.TrackedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;

/**
 * One request's worth of events: the body is assembled (and gzipped) once, every attempt sends the
 * same bytes, signed afresh. Internal, not for public use.
 */
final class Batch {
  final List<PendingEvent> events;
  /** The sum of the events' JSON sizes: what the batch holds of the client's byte budget. */
  final long eventBytes;
  final byte[] body;
  final boolean gzipped;
  /** Clock millis after which no retry may start. */
  final long retryDeadlineMillis;
  /** Where the events are in the outbox, or {@code null} for a batch sent from memory. */
  final OutboxLog.Range range;
  /** The outbox generation {@link #range} was read from. */
  final int generation;
  /**
   * Completes once the sender has reported the batch's outcome and given back its room in the budget
   * and its in-flight slot: what {@code flush()} waits for.
   */
  final CompletableFuture<Void> done = new CompletableFuture<>();
  private final AtomicBoolean finished = new AtomicBoolean();
  /** How the batch ended; set once, by the thread that won {@link #finish()}, before the sender sees it. */
  volatile Outcomes.Ending ending;

  /** Written by whichever thread starts an attempt; read by that attempt's callback and by close. */
  volatile int attempts;
  volatile Call call;

  Batch(List<PendingEvent> events, long eventBytes, byte[] body, boolean gzipped,
      long retryDeadlineMillis) {
    this(events, eventBytes, body, gzipped, retryDeadlineMillis, null, 0);
  }

  Batch(List<PendingEvent> events, long eventBytes, byte[] body, boolean gzipped,
      long retryDeadlineMillis, OutboxLog.Range range, int generation) {
    this.events = events;
    this.eventBytes = eventBytes;
    this.body = body;
    this.gzipped = gzipped;
    this.retryDeadlineMillis = retryDeadlineMillis;
    this.range = range;
    this.generation = generation;
  }

  /** Whether its events are in the outbox (and hold no room in the in-memory budget). */
  boolean fromOutbox() {
    return range != null;
  }

  /** The same events and body, to be sent again with a fresh retry budget. */
  Batch again(long retryDeadlineMillis) {
    Batch b = new Batch(events, eventBytes, body, gzipped, retryDeadlineMillis, range, generation);
    b.attempts = attempts;
    return b;
  }

  int size() {
    return events.size();
  }

  /** True for exactly one caller: the one that may report the batch's outcome. */
  boolean finish() {
    return finished.compareAndSet(false, true);
  }

  boolean isFinished() {
    return finished.get();
  }

  List<TrackedEvent> tracked() {
    List<TrackedEvent> out = new ArrayList<>(events.size());
    for (PendingEvent e : events) {
      out.add(e.toTracked());
    }
    return List.copyOf(out);
  }
}
