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
  /** Completes when the exporter has reported the batch delivered or given up on. */
  final CompletableFuture<Void> exported = new CompletableFuture<>();
  /**
   * Completes after that, once the batch's room in the budget and its in-flight slot are given back:
   * what {@code flush()} waits for.
   */
  final CompletableFuture<Void> done = new CompletableFuture<>();
  private final AtomicBoolean finished = new AtomicBoolean();

  /** Written by whichever thread starts an attempt; read by that attempt's callback and by close. */
  volatile int attempts;
  volatile Call call;

  Batch(List<PendingEvent> events, long eventBytes, byte[] body, boolean gzipped,
      long retryDeadlineMillis) {
    this.events = events;
    this.eventBytes = eventBytes;
    this.body = body;
    this.gzipped = gzipped;
    this.retryDeadlineMillis = retryDeadlineMillis;
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
