package io.theeye.client;

import java.time.Instant;

/**
 * The identity of one event the client accepted, as handed to an {@link EyeListener}. The payload
 * itself is not kept: it was serialized when the event was tracked.
 *
 * @param eventId the event's idempotency key (a UUIDv7 unless the caller chose one)
 * @param sessionId the session the event belongs to
 * @param category the event type's category
 * @param name the event type's name
 * @param timestamp when the event occurred, to the microsecond
 * @param seq the client's sequence number for the event (increasing per client, not contiguous)
 */
public record TrackedEvent(
    String eventId, String sessionId, String category, String name, Instant timestamp, long seq) {}
