package io.theeye.client.internal;

import io.theeye.client.TrackedEvent;
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

  TrackedEvent toTracked() {
    return new TrackedEvent(eventId, sessionId, category, name, timestamp.truncatedTo(ChronoUnit.MICROS), seq);
  }
}
