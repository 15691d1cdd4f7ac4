package io.theeye.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.theeye.client.EyeEvent;
import io.theeye.model.Timestamps;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads one collect request body from the snippet: {@code {"sent_at": "...", "events": [{"session_id",
 * "category", "name", "data", "timestamp", "seq", "id"}, ...]}}. Anything else — and any field the
 * relay sets itself, such as {@code app_id} — is ignored; a wrong shape or a bad field refuses the whole
 * request with a message that names it.
 */
final class BrowserBatch {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BROWSER_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int MAX_TEXT = 128;

  /** A browser clock this close to the relay's is taken as right. */
  static final Duration TRUSTED_SKEW = Duration.ofSeconds(1);

  /** A request the relay refuses with {@code 400}; the message is safe to show the browser. */
  static final class MalformedException extends Exception {
    MalformedException(String message) {
      super(message, null, false, false);
    }
  }

  /** One browser event before the server context is added. */
  record BrowserEvent(String eventId, String sessionId, String category, String name,
      Map<String, Object> data, Instant timestamp) {

    EyeEvent toEyeEvent(Map<String, Object> context) {
      Map<String, Object> withContext = new LinkedHashMap<>(data);
      withContext.put(ServerContext.KEY, context);
      return EyeEvent.builder()
          .eventId(eventId)
          .sessionId(sessionId)
          .category(category)
          .name(name)
          .data(withContext)
          .timestamp(timestamp)
          .build();
    }
  }

  private BrowserBatch() {}

  /**
   * The request's events, their times corrected for the browser's clock.
   *
   * @param cookieSession the session cookie's id, for events that name none ({@code null} if absent)
   */
  static List<BrowserEvent> parse(byte[] body, int maxEvents, String cookieSession, Instant receivedAt,
      Duration maxCorrection) throws MalformedException {
    JsonNode root;
    try {
      root = JSON.readTree(new String(body, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new MalformedException("the body is not JSON");
    }
    if (root == null || !root.isObject()) {
      throw new MalformedException("the body must be an object {\"sent_at\": ..., \"events\": [...]}");
    }
    JsonNode events = root.get("events");
    if (events == null || !events.isArray() || events.isEmpty()) {
      throw new MalformedException("events must be a non-empty array");
    }
    if (events.size() > maxEvents) {
      throw new MalformedException("too many events: " + events.size() + ", at most " + maxEvents);
    }
    Duration correction = correction(root.get("sent_at"), receivedAt, maxCorrection);
    List<BrowserEvent> out = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      out.add(event(events.get(i), i, cookieSession, receivedAt, correction));
    }
    return out;
  }

  /**
   * How far to move the browser's times: the relay's clock minus the browser's at sending, as Segment
   * does with {@code sentAt}. {@code null} means the browser's clock is off by more than {@code max}
   * and its events take the time of arrival.
   */
  private static Duration correction(JsonNode sentAt, Instant receivedAt, Duration max)
      throws MalformedException {
    if (sentAt == null || sentAt.isNull()) {
      return Duration.ZERO;
    }
    Instant sent = instant(sentAt, "sent_at");
    Duration skew = Duration.between(sent, receivedAt);
    if (skew.abs().compareTo(TRUSTED_SKEW) < 0) {
      // Within the network's own delay: "correcting" it would add each batch's latency to its events
      // and could reorder close events sent in different batches.
      return Duration.ZERO;
    }
    return skew.abs().compareTo(max) <= 0 ? skew : null;
  }

  private static BrowserEvent event(JsonNode node, int index, String cookieSession, Instant receivedAt,
      Duration correction) throws MalformedException {
    String where = "events[" + index + "]";
    if (!node.isObject()) {
      throw new MalformedException(where + " must be an object");
    }
    String session = optionalText(node, "session_id", where);
    if (session == null) {
      session = cookieSession;
    }
    if (session == null) {
      throw new MalformedException(where + ".session_id is missing and there is no session cookie");
    }
    if (!SessionCookie.valid(session)) {
      throw new MalformedException(where + ".session_id must be 8-128 of A-Z a-z 0-9 _ -");
    }
    String category = requiredText(node, "category", where);
    String name = requiredText(node, "name", where);
    JsonNode data = node.get("data");
    Map<String, Object> map;
    if (data == null || data.isNull()) {
      map = new LinkedHashMap<>();
    } else if (data.isObject()) {
      map = JSON.convertValue(data, JSON.getTypeFactory()
          .constructMapType(LinkedHashMap.class, String.class, Object.class));
    } else {
      throw new MalformedException(where + ".data must be an object");
    }
    JsonNode ts = node.get("timestamp");
    Instant occurred = ts == null || ts.isNull() ? receivedAt : instant(ts, where + ".timestamp");
    occurred = correction == null ? receivedAt : occurred.plus(correction);
    if (occurred.isAfter(receivedAt)) {
      occurred = receivedAt; // nothing the browser reports happened after it arrived
    }
    String browserId = optionalText(node, "id", where);
    String eventId = null;
    if (browserId != null) {
      if (!BROWSER_ID.matcher(browserId).matches()) {
        throw new MalformedException(where + ".id must be 1-64 of A-Z a-z 0-9 _ -");
      }
      eventId = eventId(session, browserId);
    }
    return new BrowserEvent(eventId, session, category, name, map, occurred);
  }

  /**
   * A stable event id for a browser's own id within its session, so a batch sent twice (a beacon and
   * a fetch racing at page hide) is stored once. Hashed with the session, it cannot name another
   * session's or the server's events.
   */
  static String eventId(String session, String browserId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((session + "\n" + browserId).getBytes(StandardCharsets.UTF_8));
      return "web-" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Instant instant(JsonNode node, String where) throws MalformedException {
    if (!node.isTextual()) {
      throw new MalformedException(where + " must be a timestamp string");
    }
    try {
      return Timestamps.parse(node.textValue());
    } catch (IllegalArgumentException e) {
      throw new MalformedException(where + " is not a timestamp: " + truncate(node.textValue()));
    }
  }

  private static String requiredText(JsonNode node, String field, String where)
      throws MalformedException {
    String text = optionalText(node, field, where);
    if (text == null) {
      throw new MalformedException(where + "." + field + " is missing");
    }
    return text;
  }

  private static String optionalText(JsonNode node, String field, String where)
      throws MalformedException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual() || value.textValue().isBlank() || value.textValue().length() > MAX_TEXT) {
      throw new MalformedException(where + "." + field + " must be a string of 1-" + MAX_TEXT + " characters");
    }
    return value.textValue();
  }

  private static String truncate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
