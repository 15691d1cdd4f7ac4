package io.theeye.examples;

import java.util.Map;

/**
 * One event the demo tracks, with what the collector should make of it.
 *
 * @param site the application that sends it
 * @param sessionId the visitor's session
 * @param category the event type's category
 * @param name the event type's name
 * @param data the payload
 * @param expect what the collector should do with it
 * @param eventId an explicit event id (a form's idempotency token), or {@code null} for the client's
 * @param shared whether the session spans two applications
 */
record Step(Site site, String sessionId, String category, String name, Map<String, Object> data,
    Expect expect, String eventId, boolean shared) {

  /** What the collector should make of an event, as the demo intends it. */
  enum Expect {
    /** A valid event: stored once. */
    STORED("stored"),
    /** Its data breaks the event type's schema: rejected as {@code schema_violation}. */
    SCHEMA_VIOLATION("schema_violation"),
    /** Its timestamp is an hour ahead: rejected as {@code future_timestamp}. */
    FUTURE_TIMESTAMP("future_timestamp"),
    /** A second submit of the same form with the same event id: counted as a duplicate, not stored. */
    DUPLICATE("duplicate");

    private final String code;

    Expect(String code) {
      this.code = code;
    }

    /** The code used in the journal; for rejections, the collector's reason code. */
    String code() {
      return code;
    }
  }

  /** The payload's {@code path} when it is a string, else {@code null}. */
  String path() {
    return data.get("path") instanceof String p ? p : null;
  }

  /** This step with another expectation and payload. */
  Step with(Expect newExpect, Map<String, Object> newData) {
    return new Step(site, sessionId, category, name, newData, newExpect, eventId, shared);
  }

  /** This step with an explicit event id. */
  Step withEventId(String id, Expect newExpect) {
    return new Step(site, sessionId, category, name, data, newExpect, id, shared);
  }
}
