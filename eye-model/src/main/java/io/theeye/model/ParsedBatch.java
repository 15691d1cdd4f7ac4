package io.theeye.model;

import java.time.Instant;
import java.util.List;

/**
 * A request body that had one of the three accepted shapes.
 *
 * @param sentAt the envelope's {@code sent_at}, or {@code null}
 * @param events every element of the body, in order, each valid or rejected. From {@link EventReader}
 *     the list is unmodifiable and reads each event when it is visited, without keeping it: visit each
 *     once, in order, and at most one event's tree is held at a time.
 */
public record ParsedBatch(Instant sentAt, List<ParsedEvent> events) {

  /** Checks the list is present; it is not copied, so that its events stay unread until visited. */
  public ParsedBatch {
    java.util.Objects.requireNonNull(events, "events");
  }
}
