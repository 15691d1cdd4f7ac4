package io.theeye.model;

import java.time.Instant;
import java.util.List;

/**
 * A request body that had one of the three accepted shapes.
 *
 * @param sentAt the envelope's {@code sent_at}, or {@code null}
 * @param events every element of the body, in order, each valid or rejected
 */
public record ParsedBatch(Instant sentAt, List<ParsedEvent> events) {

  /** Copies the list. */
  public ParsedBatch {
    events = List.copyOf(events);
  }
}
