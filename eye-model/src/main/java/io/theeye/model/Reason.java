package io.theeye.model;

/**
 * Why an event (or a whole request body) was rejected; the {@link #code()} is what is stored in
 * {@code rejected_events.reason} and reported on the wire.
 */
public enum Reason {
  /** The request body is not JSON, not one of the three shapes, empty, or has too many events. */
  MALFORMED_BODY("malformed_body"),
  /** A required field is missing, of the wrong type, or out of its length range. */
  MALFORMED_EVENT("malformed_event"),
  /** The timestamp does not parse, or is not a real date/time. */
  INVALID_TIMESTAMP("invalid_timestamp"),
  /** The timestamp is further ahead of the collector's clock than the allowed skew. */
  FUTURE_TIMESTAMP("future_timestamp"),
  /** {@code data} fails the JSON Schema registered for the event type. */
  SCHEMA_VIOLATION("schema_violation"),
  /** No schema is registered for the event type and the collector rejects unknown types. */
  UNKNOWN_EVENT_TYPE("unknown_event_type"),
  /** The event's serialized {@code data} is over the per-event limit. */
  PAYLOAD_TOO_LARGE("payload_too_large");

  private final String code;

  Reason(String code) {
    this.code = code;
  }

  /** The snake_case code of the contract, e.g. {@code malformed_event}. */
  public String code() {
    return code;
  }

  /** Returns the reason with this code, or throws {@link IllegalArgumentException}. */
  public static Reason fromCode(String code) {
    for (Reason r : values()) {
      if (r.code.equals(code)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown reason code: " + code);
  }
}
