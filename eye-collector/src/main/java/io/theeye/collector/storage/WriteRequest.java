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

  /** What one row costs in memory besides its text: the objects that hold it, about {@value} bytes. */
  static final int ROW_OVERHEAD_BYTES = 160;

  /**
   * An estimate of the memory this request holds while queued: the characters of its texts (one byte
   * each, as Java stores Latin-1 strings; payloads in other scripts take up to twice that) plus a fixed
   * {@value #ROW_OVERHEAD_BYTES} bytes per row. The writer's queue is bounded by it, so a few large
   * payloads cannot outgrow the heap while many small ones fill the row bound first.
   */
  public long estimatedBytes() {
    long bytes = (long) size() * ROW_OVERHEAD_BYTES;
    for (EventRow e : events) {
      bytes += length(e.eventId()) + length(e.sessionId()) + length(e.category()) + length(e.name())
          + length(e.dataJson());
    }
    for (RejectedRow r : rejected) {
      bytes += length(r.detail()) + length(r.eventId()) + length(r.sessionId()) + length(r.category())
          + length(r.name()) + length(r.raw());
    }
    return bytes;
  }

  private static int length(String s) {
    return s == null ? 0 : s.length();
  }
}
