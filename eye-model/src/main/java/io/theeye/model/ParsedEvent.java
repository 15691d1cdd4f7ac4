package io.theeye.model;

/**
 * One element of a parsed request body: either {@link Valid} or {@link Rejected}.
 *
 * <p>{@link EventReader} checks what can be checked without a clock or a schema registry (field rules,
 * timestamp syntax, the {@code data} size); the collector adds {@code future_timestamp},
 * {@code schema_violation} and {@code unknown_event_type}.
 */
public sealed interface ParsedEvent permits ParsedEvent.Valid, ParsedEvent.Rejected {

  /** The position of this event in the request, from 0. */
  int index();

  /**
   * An event that passed the codec's checks.
   *
   * @param index position in the request
   * @param event the event
   * @param dataJson {@code data} serialized compactly, exactly as it is to be stored
   * @param raw the event's text as received, for a rejected row if a later check refuses it
   */
  record Valid(int index, Event event, String dataJson, RawJson raw) implements ParsedEvent {}

  /**
   * An event the codec rejected.
   *
   * @param index position in the request
   * @param reason why
   * @param detail what a human should fix, naming the field
   * @param eventId the {@code event_id} if it was a string, else {@code null}
   * @param sessionId the {@code session_id} if it was a string, else {@code null}
   * @param category the {@code category} if it was a string, else {@code null}
   * @param name the {@code name} if it was a string, else {@code null}
   * @param raw the offending event's JSON text, at most {@link EyeProtocol#MAX_RAW_BYTES} bytes
   */
  record Rejected(
      int index,
      Reason reason,
      String detail,
      String eventId,
      String sessionId,
      String category,
      String name,
      String raw) implements ParsedEvent {}
}
