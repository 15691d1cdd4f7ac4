package io.theeye.model;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One behaviour event as it travels on the wire.
 *
 * <p>{@link EventReader} makes one for each valid event of a request body:
 *
 * <pre>{@code
 * Event e = new Event(null, "e2085be5-9137-4e4e-80b5-f1ffddc25423", "page interaction", "pageview",
 *     null, Instant.now(), 0L);
 * }</pre>
 *
 * <p>The record checks the protocol's field rules (lengths, non-negative {@code seq}) in its
 * constructor. {@code data} is a Jackson {@link ObjectNode}, which Jackson cannot make immutable:
 * treat it as read-only once the event is built.
 *
 * @param eventId the idempotency key, 1–64 characters, or {@code null} to let the collector assign one
 * @param sessionId the application-generated session id, 1–128 characters
 * @param category the first half of the event type, 1–128 characters
 * @param name the second half of the event type, 1–128 characters
 * @param data the payload, never {@code null} (absent means an empty object)
 * @param timestamp when the event occurred, truncated to the microsecond
 * @param seq the sender-side sequence number that breaks timestamp ties, or {@code null}
 */
public record Event(
    String eventId,
    String sessionId,
    String category,
    String name,
    ObjectNode data,
    Instant timestamp,
    Long seq) {

  /** Validates every field against the protocol's rules. */
  public Event {
    if (eventId != null) {
      checkLength("event_id", eventId, EyeProtocol.MAX_EVENT_ID_LENGTH);
    }
    checkLength("session_id", Objects.requireNonNull(sessionId, "session_id"),
        EyeProtocol.MAX_TEXT_FIELD_LENGTH);
    checkLength("category", Objects.requireNonNull(category, "category"),
        EyeProtocol.MAX_TEXT_FIELD_LENGTH);
    checkLength("name", Objects.requireNonNull(name, "name"), EyeProtocol.MAX_TEXT_FIELD_LENGTH);
    data = data == null ? JsonNodeFactory.instance.objectNode() : data;
    timestamp = Objects.requireNonNull(timestamp, "timestamp").truncatedTo(ChronoUnit.MICROS);
    if (seq != null && seq < 0) {
      throw new IllegalArgumentException("seq must not be negative, was " + seq);
    }
  }

  /** The number of characters (code points) of {@code value}, as the protocol counts them. */
  static int length(String value) {
    return value.codePointCount(0, value.length());
  }

  static void checkLength(String field, String value, int max) {
    int length = length(value);
    if (length < 1 || length > max) {
      throw new IllegalArgumentException(
          field + " must be 1-" + max + " characters, was " + length);
    }
  }
}
