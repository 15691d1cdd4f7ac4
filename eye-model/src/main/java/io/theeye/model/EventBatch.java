package io.theeye.model;

import java.time.Instant;
import java.util.List;

/**
 * The batch envelope {@code {"sent_at": "<timestamp>", "events": [...]}}.
 *
 * @param sentAt when the sender sent the batch, or {@code null}
 * @param events the events, in the order the sender tracked them
 */
public record EventBatch(Instant sentAt, List<Event> events) {

  /** Copies the event list so the batch is immutable. */
  public EventBatch {
    events = List.copyOf(events);
  }
}
