package io.theeye.collector.storage;

import io.theeye.model.Reason;

/**
 * An event (or a whole malformed body) that was not stored, with why. The application and receipt
 * time come from the enclosing {@link WriteRequest}.
 *
 * @param reason the protocol reason
 * @param detail what failed, for a human
 * @param eventId the event's {@code event_id}, if it had a usable one
 * @param sessionId the event's {@code session_id}, if usable
 * @param category the event's {@code category}, if usable
 * @param name the event's {@code name}, if usable
 * @param raw the offending JSON text (or body), at most 64 KiB
 */
public record RejectedRow(
    Reason reason,
    String detail,
    String eventId,
    String sessionId,
    String category,
    String name,
    String raw) {}
