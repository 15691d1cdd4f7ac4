package io.theeye.collector.ingest;

import io.theeye.collector.UnknownTypes;
import io.theeye.collector.schema.EventSchema;
import io.theeye.collector.schema.EventType;
import io.theeye.collector.schema.SchemaRegistry;
import io.theeye.collector.storage.EventRow;
import io.theeye.collector.storage.RejectedRow;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.model.Event;
import io.theeye.model.ParsedBatch;
import io.theeye.model.ParsedEvent;
import io.theeye.model.Reason;
import io.theeye.model.Timestamps;
import io.theeye.model.Uuid7;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The collector's checks on top of {@link io.theeye.model.EventReader}'s: {@code future_timestamp},
 * {@code schema_violation} and {@code unknown_event_type}; it also assigns a UUIDv7 to events sent
 * without an {@code event_id}. Stateless and thread-safe: HTTP worker threads call it in parallel, so
 * validation never runs on the writer thread.
 */
public final class EventValidator {

  private final SchemaRegistry schemas;
  private final UnknownTypes unknownTypes;
  private final Duration maxFutureSkew;

  /**
   * @param schemas the registered event types
   * @param unknownTypes what to do with a type that has no schema
   * @param maxFutureSkew how far ahead of the collector's clock an event's timestamp may be
   */
  public EventValidator(SchemaRegistry schemas, UnknownTypes unknownTypes, Duration maxFutureSkew) {
    this.schemas = Objects.requireNonNull(schemas, "schemas");
    this.unknownTypes = Objects.requireNonNull(unknownTypes, "unknownTypes");
    this.maxFutureSkew = Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
    if (maxFutureSkew.isNegative()) {
      throw new IllegalArgumentException("maxFutureSkew must not be negative");
    }
  }

  /**
   * Checks every event of a parsed body.
   *
   * @param appId the authenticated application
   * @param receivedAt the collector's clock when the request arrived
   * @param batch the parsed body
   */
  public Validated validate(String appId, Instant receivedAt, ParsedBatch batch) {
    Instant latest = receivedAt.plus(maxFutureSkew);
    List<EventRow> rows = new ArrayList<>(batch.events().size());
    List<RejectedRow> rejected = new ArrayList<>();
    Map<Reason, Integer> byReason = new EnumMap<>(Reason.class);
    Set<String> seenIds = new HashSet<>();
    int inRequestDuplicates = 0;
    Map<EventType, Integer> unknownTypes = new HashMap<>();
    for (ParsedEvent parsed : batch.events()) {
      RejectedRow rejection;
      if (parsed instanceof ParsedEvent.Rejected r) {
        rejection = new RejectedRow(r.reason(), r.detail(), r.eventId(), r.sessionId(), r.category(), r.name(), r.raw());
      } else {
        ParsedEvent.Valid valid = (ParsedEvent.Valid) parsed;
        Event e = valid.event();
        Optional<EventSchema> schema = schemas.find(e.category(), e.name());
        rejection = check(valid, schema, latest);
        if (rejection == null) {
          String eventId = e.eventId() == null ? Uuid7.next() : e.eventId();
          if (!seenIds.add(eventId)) {
            inRequestDuplicates++;
          }
          if (schema.isEmpty()) {
            unknownTypes.merge(new EventType(e.category(), e.name()), 1, Integer::sum);
          }
          rows.add(new EventRow(eventId, e.sessionId(), e.category(), e.name(), e.timestamp(), e.seq(),
              valid.dataJson()));
          continue;
        }
      }
      rejected.add(rejection);
      byReason.merge(rejection.reason(), 1, Integer::sum);
    }
    return new Validated(new WriteRequest(appId, receivedAt, rows, rejected), batch.events().size(),
        inRequestDuplicates, unknownTypes, byReason);
  }

  /** The rejection of a codec-valid event with its type's schema (if any), or {@code null} when it passes. */
  private RejectedRow check(ParsedEvent.Valid valid, Optional<EventSchema> schema, Instant latest) {
    Event e = valid.event();
    if (e.timestamp().isAfter(latest)) {
      return rejection(valid, Reason.FUTURE_TIMESTAMP, "timestamp " + Timestamps.format(e.timestamp())
          + " is more than " + maxFutureSkew.getSeconds() + " s ahead of the collector's clock");
    }
    if (schema.isPresent()) {
      List<String> violations = schema.get().validate(e.data());
      if (!violations.isEmpty()) {
        return rejection(valid, Reason.SCHEMA_VIOLATION, describe(schema.get(), violations));
      }
    } else if (unknownTypes == UnknownTypes.REJECT) {
      return rejection(valid, Reason.UNKNOWN_EVENT_TYPE, "no schema is registered for the event type \""
          + e.category() + "\"/\"" + e.name() + "\" and this collector rejects unknown types");
    }
    return null;
  }

  private static String describe(EventSchema schema, List<String> violations) {
    return "data does not match the schema of \"" + schema.type().category() + "\"/\"" + schema.type().name()
        + "\": " + String.join("; ", violations);
  }

  private static RejectedRow rejection(ParsedEvent.Valid valid, Reason reason, String detail) {
    Event e = valid.event();
    return new RejectedRow(reason, detail, e.eventId(), e.sessionId(), e.category(), e.name(), valid.raw().text());
  }

  /**
   * One request, validated.
   *
   * @param request what goes to the writer: the valid events and the rejected rows
   * @param received how many events the body held
   * @param inRequestDuplicates valid events whose {@code event_id} appeared earlier in the same request
   * @param unknownTypes valid events whose type has no schema (accepted with {@code --unknown-types
   *     accept}), by type
   * @param rejectedByReason rejected events by reason
   */
  public record Validated(WriteRequest request, int received, int inRequestDuplicates,
      Map<EventType, Integer> unknownTypes, Map<Reason, Integer> rejectedByReason) {

    /** Copies the maps. */
    public Validated {
      unknownTypes = unknownTypes.isEmpty() ? Map.of() : Map.copyOf(unknownTypes);
      rejectedByReason = rejectedByReason.isEmpty() ? Map.of() : Map.copyOf(rejectedByReason);
    }

    /** The number of rejected events. */
    public int rejected() {
      return request.rejected().size();
    }
  }
}
