package io.theeye.collector.storage;

import java.time.Instant;

/**
 * A validated event ready to be stored.
 *
 * @param eventId the idempotency key (the collector assigns a UUIDv7 when the sender gave none)
 * @param sessionId the session
 * @param category the event type's category
 * @param name the event type's name
 * @param occurredAt when it occurred, microsecond precision
 * @param seq the sender's sequence number, or {@code null}
 * @param dataJson the payload as compact JSON text
 */
public record EventRow(
    String eventId,
    String sessionId,
    String category,
    String name,
    Instant occurredAt,
    Long seq,
    String dataJson) {}
