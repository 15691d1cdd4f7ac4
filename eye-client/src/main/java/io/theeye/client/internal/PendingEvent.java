package io.theeye.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.theeye.client.TrackedEvent;
import io.theeye.model.Timestamps;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One accepted event, serialized once, waiting in the client. The fields besides {@code json} serve
 * only the listener: without one, {@code eventId} and {@code timestamp} are not kept (the JSON holds
 * them), which keeps the bytes a waiting event pins in the heap down.
 */
final class PendingEvent {
  final byte[] json;
  final String eventId;
  final String sessionId;
  final String category;
  final String name;
  final Instant timestamp;
  final long seq;
  /** Room for it was reserved in the outbox; set by track() before the event is queued. */
  boolean outboxReserved;

  PendingEvent(byte[] json, String eventId, String sessionId, String category, String name,
      Instant timestamp, long seq) {
    this.json = json;
    this.eventId = eventId;
    this.sessionId = sessionId;
    this.category = category;
    this.name = name;
    this.timestamp = timestamp;
    this.seq = seq;
  }

  /**
   * An event read back from the outbox; with a listener, its identity is parsed from the JSON (an
   * event the listener cannot be told about whole still gets the fields that parse).
   */
  static PendingEvent fromOutbox(byte[] json, boolean listening) {
    if (!listening) {
      return new PendingEvent(json, null, null, null, null, null, 0);
    }
    try {
      JsonNode n = EventEncoder.MAPPER.readTree(json);
      Instant ts = n.hasNonNull("timestamp") ? Timestamps.parse(n.get("timestamp").asText()) : null;
      return new PendingEvent(json, n.path("event_id").asText(null), n.path("session_id").asText(null),
          n.path("category").asText(null), n.path("name").asText(null), ts, n.path("seq").asLong());
    } catch (IOException | RuntimeException e) {
      return new PendingEvent(json, null, null, null, null, null, 0);
    }
  }

  TrackedEvent toTracked() {
    return new TrackedEvent(eventId, sessionId, category, name,
        timestamp == null ? null : timestamp.truncatedTo(ChronoUnit.MICROS), seq);
  }
}
