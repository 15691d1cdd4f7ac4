package io.theeye.collector.storage;

import java.time.Instant;
import java.util.List;

/**
 * Everything one HTTP request produces for the database: its valid events, in request order, and its
 * rejected rows. The writer commits all of it in one transaction (possibly together with other
 * requests) before the request is answered in {@code durable} mode.
 *
 * @param appId the authenticated application
 * @param receivedAt when the collector received the request
 * @param events valid events, in the order they appeared in the request
 * @param rejected rejected events (or the malformed body)
 */
public record WriteRequest(String appId, Instant receivedAt, List<EventRow> events, List<RejectedRow> rejected) {

  /** Copies the lists. */
  public WriteRequest {
    events = List.copyOf(events);
    rejected = List.copyOf(rejected);
  }

  /** The number of rows this request adds to the queue's load: events plus rejected rows. */
  public int size() {
    return events.size() + rejected.size();
  }
}
