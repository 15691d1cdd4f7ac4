package io.theeye.collector.storage.postgres;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.theeye.collector.storage.EventRow;
import io.theeye.collector.storage.RejectedRow;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.theeye.model.Reason;
import io.theeye.model.Timestamps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One writer transaction's rows, prepared in memory before any SQL runs: events deduplicated within
 * the batch (the first occurrence of an {@code (app_id, event_id)} wins, in request order), events that
 * PostgreSQL cannot store turned into rejected rows, and everything sorted into the fixed key order
 * that keeps concurrent collectors from deadlocking.
 */
final class WriteBatch {

  /** Orders event inserts: every collector takes unique-index entries in this order. */
  private static final Comparator<Pending> KEY_ORDER =
      Comparator.comparing((Pending p) -> p.appId).thenComparing(p -> p.event.eventId());

  private final List<WriteRequest> requests;
  /** Unique events in request order; {@code id} is filled in by {@link #assignIds}. */
  private final List<Pending> unique = new ArrayList<>();
  private final int[] duplicatesInBatch;
  /** Rejected rows per request: the request's own, then those the store added. */
  private final List<List<RejectedRow>> rejected = new ArrayList<>();

  private WriteBatch(List<WriteRequest> requests) {
    this.requests = requests;
    this.duplicatesInBatch = new int[requests.size()];
  }

  /**
   * Prepares the requests. {@code unstorableData} names data JSON texts PostgreSQL refused earlier (see
   * {@link PostgresEventStore}); events carrying one become rejected rows.
   */
  static WriteBatch of(List<WriteRequest> requests, Predicate<String> unstorableData) {
    WriteBatch batch = new WriteBatch(requests);
    Set<Key> seen = new HashSet<>();
    for (int r = 0; r < requests.size(); r++) {
      WriteRequest request = requests.get(r);
      List<RejectedRow> rows = new ArrayList<>(request.rejected().size());
      for (RejectedRow row : request.rejected()) {
        rows.add(sanitized(row));
      }
      for (EventRow event : request.events()) {
        String problem = unstorable(event, unstorableData);
        if (problem != null) {
          rows.add(rejectedForStorage(event, problem));
        } else if (seen.add(new Key(request.appId(), event.eventId()))) {
          batch.unique.add(new Pending(r, request.appId(), request.receivedAt(), event));
        } else {
          batch.duplicatesInBatch[r]++;
        }
      }
      batch.rejected.add(rows);
    }
    return batch;
  }

  /** How many event ids the batch needs. */
  int eventCount() {
    return unique.size();
  }

  /** Gives the unique events their ids in request order, so {@code id} grows in ingestion order. */
  void assignIds(long[] ids) {
    long[] sorted = ids.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < unique.size(); i++) {
      unique.get(i).id = sorted[i];
    }
  }

  /** The unique events in insert order: by {@code (app_id, event_id)}. */
  List<Pending> eventsInKeyOrder() {
    List<Pending> ordered = new ArrayList<>(unique);
    ordered.sort(KEY_ORDER);
    return ordered;
  }

  /**
   * Per-session aggregates of the events that were actually inserted, sorted by session id: the order
   * in which every collector takes session row locks.
   */
  List<SessionDelta> sessionDeltas(Set<Long> insertedIds) {
    Map<String, SessionDelta> bySession = new TreeMap<>();
    for (Pending p : unique) {
      if (insertedIds.contains(p.id)) {
        bySession.computeIfAbsent(p.event.sessionId(), SessionDelta::new).add(p.event.occurredAt());
      }
    }
    return new ArrayList<>(bySession.values());
  }

  /** Rejected rows with their request's application and receipt time, in request order. */
  List<Rejection> rejections() {
    List<Rejection> all = new ArrayList<>();
    for (int r = 0; r < requests.size(); r++) {
      WriteRequest request = requests.get(r);
      for (RejectedRow row : rejected.get(r)) {
        all.add(new Rejection(request.appId(), request.receivedAt(), row));
      }
    }
    return all;
  }

  /** One outcome per request, given which event ids the database inserted. */
  List<WriteOutcome> outcomes(Set<Long> insertedIds) {
    int[] accepted = new int[requests.size()];
    int[] duplicates = duplicatesInBatch.clone();
    for (Pending p : unique) {
      if (insertedIds.contains(p.id)) {
        accepted[p.request]++;
      } else {
        duplicates[p.request]++;
      }
    }
    List<WriteOutcome> outcomes = new ArrayList<>(requests.size());
    for (int r = 0; r < requests.size(); r++) {
      outcomes.add(new WriteOutcome(accepted[r], duplicates[r]));
    }
    return outcomes;
  }

  /** The data texts of the batch's unique events, for pinpointing one PostgreSQL refuses. */
  List<String> dataTexts() {
    List<String> texts = new ArrayList<>(unique.size());
    for (Pending p : unique) {
      texts.add(p.event.dataJson());
    }
    return texts;
  }

  /**
   * Why PostgreSQL could not store this event, or {@code null}. PostgreSQL {@code text} cannot hold the
   * character U+0000 and {@code jsonb} cannot hold the escape {@code \u0000}; SQLite can, so the
   * collector's validation lets them through.
   */
  private static String unstorable(EventRow event, Predicate<String> unstorableData) {
    if (hasNul(event.eventId())) {
      return "event_id contains the character U+0000, which PostgreSQL cannot store";
    }
    if (hasNul(event.sessionId())) {
      return "session_id contains the character U+0000, which PostgreSQL cannot store";
    }
    if (hasNul(event.category())) {
      return "category contains the character U+0000, which PostgreSQL cannot store";
    }
    if (hasNul(event.name())) {
      return "name contains the character U+0000, which PostgreSQL cannot store";
    }
    if (hasNul(event.dataJson()) || hasEscapedNul(event.dataJson())) {
      return "data contains the character U+0000, which PostgreSQL jsonb cannot store";
    }
    if (unstorableData.test(event.dataJson())) {
      return "data cannot be stored as PostgreSQL jsonb";
    }
    return null;
  }

  /** Reads and writes data keeping every digit of its numbers, as the collector stored them. */
  private static final ObjectMapper EXACT = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .build();

  private static RejectedRow rejectedForStorage(EventRow event, String detail) {
    ObjectNode raw = EXACT.createObjectNode();
    raw.put("event_id", event.eventId());
    raw.put("session_id", event.sessionId());
    raw.put("category", event.category());
    raw.put("name", event.name());
    raw.put("timestamp", Timestamps.format(event.occurredAt()));
    if (event.seq() != null) {
      raw.put("seq", event.seq());
    }
    try {
      raw.set("data", EXACT.readTree(event.dataJson()));
    } catch (IOException notJson) {
      // Keep the text as it came, so the row stays valid JSON.
      raw.put("data", event.dataJson());
    }
    String json;
    try {
      json = EXACT.writeValueAsString(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sanitized(new RejectedRow(Reason.MALFORMED_EVENT, detail, event.eventId(),
        event.sessionId(), event.category(), event.name(), json));
  }

  /** Rejected rows are diagnostics: a U+0000 in them becomes U+FFFD rather than failing the batch. */
  private static RejectedRow sanitized(RejectedRow row) {
    if (!hasNul(row.detail()) && !hasNul(row.eventId()) && !hasNul(row.sessionId())
        && !hasNul(row.category()) && !hasNul(row.name()) && !hasNul(row.raw())) {
      return row;
    }
    return new RejectedRow(row.reason(), replaceNul(row.detail()), replaceNul(row.eventId()),
        replaceNul(row.sessionId()), replaceNul(row.category()), replaceNul(row.name()),
        replaceNul(row.raw()));
  }

  private static boolean hasNul(String s) {
    return s != null && s.indexOf('\0') >= 0;
  }

  private static String replaceNul(String s) {
    return s == null ? null : s.replace('\0', '\uFFFD');
  }

  /** Whether JSON text contains the escape {@code \u0000} (not an escaped backslash before "u0000"). */
  static boolean hasEscapedNul(String json) {
    int i = json.indexOf('\\');
    while (i >= 0 && i + 1 < json.length()) {
      if (json.charAt(i + 1) == 'u' && json.startsWith("0000", i + 2)) {
        return true;
      }
      i = json.indexOf('\\', i + 2);
    }
    return false;
  }

  /** An event of the batch on its way to the database. */
  static final class Pending {
    final int request;
    final String appId;
    final Instant receivedAt;
    final EventRow event;
    long id;

    Pending(int request, String appId, Instant receivedAt, EventRow event) {
      this.request = request;
      this.appId = appId;
      this.receivedAt = receivedAt;
      this.event = event;
    }
  }

  /** What one transaction adds to one session row. */
  static final class SessionDelta {
    final String sessionId;
    Instant first;
    Instant last;
    long count;

    SessionDelta(String sessionId) {
      this.sessionId = sessionId;
    }

    void add(Instant occurredAt) {
      if (first == null || occurredAt.isBefore(first)) {
        first = occurredAt;
      }
      if (last == null || occurredAt.isAfter(last)) {
        last = occurredAt;
      }
      count++;
    }
  }

  /** A rejected row with the request it came from. */
  record Rejection(String appId, Instant receivedAt, RejectedRow row) {}

  private record Key(String appId, String eventId) {}
}
