package io.theeye.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads request bodies: the collector's half of the protocol.
 *
 * <p>Accepts the three shapes — a batch envelope {@code {"sent_at": …, "events": […]}}, a bare array
 * of events, or a single event object — and tolerates trailing commas. Reading is bounded by what was
 * sent, not by what it expands to:
 *
 * <ul>
 *   <li>the body must be valid UTF-8 (no overlong forms, no encoded surrogates, nothing above
 *       U+10FFFF), checked before any JSON is read;
 *   <li>one streaming pass finds the events without building a tree for any of them, and stops at the
 *       event limit;
 *   <li>each event's tree is built only when that event is visited, and only when its text is within
 *       {@link #maxEventBytes()}; visiting the events of {@link ParsedBatch#events()} one after
 *       another therefore holds at most one event's tree at a time.
 * </ul>
 *
 * Numbers are kept exactly as sent ({@code BigDecimal} text, trailing zeros kept); a number that is
 * not finite as a double ({@code 1e309}) is a {@code malformed_event}, as are a key repeated in one
 * object, a string holding a lone surrogate escape ({@code "\ud800"}), and U+0000 in an id, category
 * or name.
 *
 * <pre>{@code
 * EventReader reader = EventReader.withDefaults();
 * ParsedBatch batch = reader.parse(bodyBytes);   // throws MalformedBodyException
 * for (ParsedEvent e : batch.events()) { ... }   // each event is read here, once per visit
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class EventReader {

  /** Where the numbers in Jackson's own limit messages come from; the sender needs only the numbers. */
  private static final Pattern JACKSON_HINT = Pattern.compile(",? ?(from|use) `[^`]*`\\)?");

  /** The outer pass: no duplicate detection, so that a repeated key is one event's problem, not the body's. */
  private static final JsonFactory SCAN_FACTORY = JsonFactory.builder()
      .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
      .streamReadConstraints(StreamReadConstraints.defaults())
      .build();

  /** One event's tree: strict duplicates, exact decimals. */
  private static final ObjectMapper TREE_MAPPER = JsonMapper.builder(JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build())
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .build();

  /** Room an event's fields other than {@code data} may take as sent, escapes and whitespace included. */
  static final int FIELDS_ALLOWANCE_BYTES = 16 << 10;

  private final int maxEventsPerRequest;
  private final int maxDataBytes;

  private EventReader(int maxEventsPerRequest, int maxDataBytes) {
    if (maxEventsPerRequest <= 0) {
      throw new IllegalArgumentException("maxEventsPerRequest must be positive");
    }
    if (maxDataBytes <= 0) {
      throw new IllegalArgumentException("maxDataBytes must be positive");
    }
    this.maxEventsPerRequest = maxEventsPerRequest;
    this.maxDataBytes = maxDataBytes;
  }

  /** A reader with the protocol's default limits (1000 events per request, 32 KiB of data per event). */
  public static EventReader withDefaults() {
    return new EventReader(EyeProtocol.DEFAULT_MAX_EVENTS_PER_REQUEST, EyeProtocol.DEFAULT_MAX_DATA_BYTES);
  }

  /** A reader with the given limits; each must be positive. */
  public static EventReader withLimits(int maxEventsPerRequest, int maxDataBytes) {
    return new EventReader(maxEventsPerRequest, maxDataBytes);
  }

  /** The per-request event limit. */
  public int maxEventsPerRequest() {
    return maxEventsPerRequest;
  }

  /** The per-event {@code data} limit in bytes, serialized compactly. */
  public int maxDataBytes() {
    return maxDataBytes;
  }

  /**
   * The most bytes one event may take as sent before it is refused {@code payload_too_large} without
   * being read: four times {@link #maxDataBytes()} (pretty-printed data is larger than compact data)
   * plus {@value #FIELDS_ALLOWANCE_BYTES} for the other fields.
   */
  public int maxEventBytes() {
    return (int) Math.min(Integer.MAX_VALUE, 4L * maxDataBytes + FIELDS_ALLOWANCE_BYTES);
  }

  /** Jackson's nesting limit, in levels of arrays and objects. */
  public static int maxNestingDepth() {
    return StreamReadConstraints.defaults().getMaxNestingDepth();
  }

  /** Jackson's limit on the characters of one number. */
  public static int maxNumberLength() {
    return StreamReadConstraints.defaults().getMaxNumberLength();
  }

  /**
   * Reads a (decompressed) request body's structure. The events themselves are read when
   * {@link ParsedBatch#events()} is visited.
   *
   * @throws MalformedBodyException when the body is not UTF-8 JSON, not one of the three shapes, holds
   *     no event, or holds more than the event limit
   */
  public ParsedBatch parse(byte[] body) throws MalformedBodyException {
    if (body == null || body.length == 0) {
      throw new MalformedBodyException("the request body is empty");
    }
    checkUtf8(body);
    try (JsonParser p = SCAN_FACTORY.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new MalformedBodyException("the request body is empty");
      }
      Instant sentAt = null;
      Spans spans = new Spans();
      if (first == JsonToken.START_ARRAY) {
        scanEvents(p, spans);
      } else if (first == JsonToken.START_OBJECT) {
        int start = (int) p.currentTokenLocation().getByteOffset();
        // An object is an envelope when it has "events", else one event; which is known only at its end.
        boolean envelope = false;
        String sentAtText = null;
        String repeated = null;
        boolean sentAtNotText = false;
        Set<String> names = new HashSet<>();
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
          String name = p.currentName();
          JsonToken value = p.nextToken();
          if (!names.add(name) && repeated == null) {
            repeated = name;
          }
          if ("events".equals(name) && !envelope) {
            envelope = true;
            if (value != JsonToken.START_ARRAY) {
              throw new MalformedBodyException("\"events\" must be an array of event objects");
            }
            scanEvents(p, spans);
          } else if ("sent_at".equals(name) && value == JsonToken.VALUE_STRING) {
            sentAtText = p.getText();
          } else if ("sent_at".equals(name) && value != JsonToken.VALUE_NULL) {
            sentAtNotText = true;
            p.skipChildren();
          } else {
            p.skipChildren();
          }
        }
        if (envelope) {
          if (repeated != null) {
            throw new MalformedBodyException("the envelope holds the member \"" + repeated + "\" twice");
          }
          if (sentAtNotText) {
            throw new MalformedBodyException("\"sent_at\" must be a timestamp string");
          }
          if (sentAtText != null) {
            sentAt = sentAt(sentAtText);
          }
        } else {
          spans.add(JsonToken.START_OBJECT, start, (int) p.currentLocation().getByteOffset());
        }
      } else {
        throw new MalformedBodyException(
            "the request body must be an event object, an array of events, or {\"events\": [...]}");
      }
      if (p.nextToken() != null) {
        throw new MalformedBodyException("the request body holds more than one JSON value (line "
            + p.currentTokenLocation().getLineNr() + ", column " + p.currentTokenLocation().getColumnNr() + ")");
      }
      if (spans.size() == 0) {
        throw new MalformedBodyException("the request holds no event");
      }
      return new ParsedBatch(sentAt, new LazyEvents(body, spans));
    } catch (IOException e) {
      throw new MalformedBodyException("the request body is not valid JSON: " + describe(e));
    }
  }

  /** Records where each element of the events array starts and ends; stops past the event limit. */
  private void scanEvents(JsonParser p, Spans spans) throws IOException, MalformedBodyException {
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == null) {
        throw new MalformedBodyException("the request body is not valid JSON: it ends inside the events array");
      }
      if (spans.size() == maxEventsPerRequest) {
        throw new MalformedBodyException("the request holds more than " + maxEventsPerRequest
            + " events; at most " + maxEventsPerRequest + " are allowed (the per-request event limit)");
      }
      int start = (int) p.currentTokenLocation().getByteOffset();
      p.skipChildren();
      spans.add(t, start, (int) p.currentLocation().getByteOffset());
    }
  }

  private static Instant sentAt(String text) throws MalformedBodyException {
    if (Strings.loneSurrogate(text) >= 0) {
      throw new MalformedBodyException("\"sent_at\" holds a lone surrogate escape");
    }
    try {
      return Timestamps.parse(text);
    } catch (Timestamps.InvalidTimestampException e) {
      throw new MalformedBodyException("\"sent_at\": " + e.getMessage());
    }
  }

  /**
   * Refuses bytes that are not UTF-8 — overlong forms ({@code C0 80}), surrogates encoded in UTF-8
   * ({@code ED A0 80}), code points above U+10FFFF — which Jackson would otherwise decode into text that
   * cannot be stored as sent. The JDK's decoder does the checking, into a small reused buffer.
   */
  static void checkUtf8(byte[] body) throws MalformedBodyException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer out = CharBuffer.allocate(4096);
    while (true) {
      CoderResult result = decoder.decode(in, out, true);
      if (result.isError()) {
        throw new MalformedBodyException("the request body is not valid UTF-8 at byte " + in.position()
            + " (an invalid, overlong or surrogate sequence, or a code point above U+10FFFF)");
      }
      if (result.isUnderflow()) {
        return;
      }
      out.clear();
    }
  }

  /** A parse error for the sender, without Jackson's class names; a limit's message names the limit. */
  static String describe(IOException e) {
    if (e instanceof StreamConstraintsException c) {
      return "it exceeds a parsing limit: " + JACKSON_HINT.matcher(c.getOriginalMessage()).replaceAll(")")
          .replace("))", ")");
    }
    if (e instanceof JsonParseException p) {
      JsonLocation at = p.getLocation();
      return p.getOriginalMessage().lines().findFirst().orElse("syntax error")
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
    }
    return String.valueOf(e.getMessage()).lines().findFirst().orElse("syntax error");
  }

  // ---------------------------------------------------------------- one event

  /** Reads and checks one element; never throws for bad input. */
  ParsedEvent readEvent(int index, byte[] body, int start, int end, JsonToken kind) {
    RawJson raw = new RawJson(body, start, end - start);
    if (kind != JsonToken.START_OBJECT) {
      return new ParsedEvent.Rejected(index, Reason.MALFORMED_EVENT,
          "an event must be a JSON object, was " + kind(kind, raw), null, null, null, null, raw.text());
    }
    if (end - start > maxEventBytes()) {
      return new ParsedEvent.Rejected(index, Reason.PAYLOAD_TOO_LARGE, "the event is " + (end - start)
          + " bytes as sent; an event may take at most " + maxEventBytes() + " bytes (its data is limited to "
          + maxDataBytes + " bytes serialized)", null, null, null, null, raw.text());
    }
    ObjectNode node;
    try (JsonParser p = TREE_MAPPER.createParser(body, start, end - start)) {
      node = (ObjectNode) TREE_MAPPER.readTree(p);
    } catch (IOException e) {
      return new ParsedEvent.Rejected(index, Reason.MALFORMED_EVENT, "the event cannot be read: "
          + describeInEvent(e), null, null, null, null, raw.text());
    }
    return check(index, node, raw);
  }

  private static String describeInEvent(IOException e) {
    if (e instanceof JsonParseException p && p.getOriginalMessage().startsWith("Duplicate field")) {
      // "Duplicate field 'x'": one object of the event holds key x twice; which value is meant is unknown.
      return "duplicate key " + p.getOriginalMessage().substring("Duplicate field ".length()).replace('\'', '"')
          + " (a key may appear once per object)";
    }
    return describe(e);
  }

  private ParsedEvent check(int index, ObjectNode node, RawJson raw) {
    List<String> problems = new ArrayList<>(2);
    String eventId = optionalText(node, "event_id", EyeProtocol.MAX_EVENT_ID_LENGTH, problems);
    String sessionId = requiredText(node, "session_id", EyeProtocol.MAX_TEXT_FIELD_LENGTH, problems);
    String category = requiredText(node, "category", EyeProtocol.MAX_TEXT_FIELD_LENGTH, problems);
    String name = requiredText(node, "name", EyeProtocol.MAX_TEXT_FIELD_LENGTH, problems);

    JsonNode dataNode = node.get("data");
    ObjectNode data = null;
    if (dataNode != null && !dataNode.isNull()) {
      if (dataNode.isObject()) {
        data = (ObjectNode) dataNode;
        String problem = Strings.checkValues(data, "data");
        if (problem != null) {
          problems.add(problem);
        }
      } else {
        problems.add("data must be a JSON object, was " + kind(dataNode));
      }
    }

    JsonNode tsNode = node.get("timestamp");
    String tsText = null;
    if (tsNode == null || tsNode.isNull()) {
      problems.add("timestamp is required");
    } else if (!tsNode.isTextual()) {
      problems.add("timestamp must be a string, was " + kind(tsNode));
    } else {
      tsText = tsNode.textValue();
    }

    Long seq = null;
    JsonNode seqNode = node.get("seq");
    if (seqNode != null && !seqNode.isNull()) {
      if (!seqNode.isIntegralNumber() || !seqNode.canConvertToLong()) {
        problems.add("seq must be an integer >= 0, was " + kind(seqNode));
      } else if (seqNode.longValue() < 0) {
        problems.add("seq must be an integer >= 0, was " + seqNode.longValue());
      } else {
        seq = seqNode.longValue();
      }
    }

    if (!problems.isEmpty()) {
      return reject(index, Reason.MALFORMED_EVENT, String.join("; ", problems),
          eventId, sessionId, category, name, raw);
    }

    Instant timestamp;
    try {
      timestamp = Timestamps.parse(tsText);
    } catch (Timestamps.InvalidTimestampException e) {
      return reject(index, Reason.INVALID_TIMESTAMP, e.getMessage(), eventId, sessionId, category, name, raw);
    }

    String dataJson;
    if (data == null) {
      dataJson = "{}";
    } else {
      dataJson = EventCodec.toJson(data);
      int size = EventCodec.utf8Length(dataJson);
      if (size > maxDataBytes) {
        return reject(index, Reason.PAYLOAD_TOO_LARGE, "data is " + size
            + " bytes serialized; at most " + maxDataBytes + " are allowed (the per-event data limit)",
            eventId, sessionId, category, name, raw);
      }
    }
    Event event = new Event(eventId, sessionId, category, name, data, timestamp, seq);
    return new ParsedEvent.Valid(index, event, dataJson, raw);
  }

  private static ParsedEvent.Rejected reject(int index, Reason reason, String detail, String eventId,
      String sessionId, String category, String name, RawJson raw) {
    return new ParsedEvent.Rejected(index, reason, detail, eventId, sessionId, category, name, raw.text());
  }

  private static String requiredText(JsonNode node, String field, int max, List<String> problems) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      problems.add(field + " is required");
      return null;
    }
    return text(value, field, max, problems);
  }

  private static String optionalText(JsonNode node, String field, int max, List<String> problems) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    return text(value, field, max, problems);
  }

  private static String text(JsonNode value, String field, int max, List<String> problems) {
    if (!value.isTextual()) {
      problems.add(field + " must be a string, was " + kind(value));
      return null;
    }
    String text = value.textValue();
    int surrogate = Strings.loneSurrogate(text);
    if (surrogate >= 0) {
      problems.add(field + " holds a lone surrogate (\\u" + Integer.toHexString(text.charAt(surrogate))
          + " at character " + surrogate + "), which is not a character and cannot be stored as sent");
      return null;
    }
    if (text.indexOf('\0') >= 0) {
      problems.add(field + " holds U+0000 (NUL), which is not allowed in ids, categories and names");
      return null;
    }
    int length = Event.length(text);
    if (length < 1 || length > max) {
      problems.add(field + " must be 1-" + max + " characters, was " + length);
      // Keep a too-long value out of the rejected row's column; the raw JSON still has it.
      return length > max ? null : text;
    }
    return text;
  }

  static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case BOOLEAN -> "a boolean";
      case NUMBER -> node.isIntegralNumber() ? "the integer " + node.asText() : "the number " + node.asText();
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NULL, MISSING -> "null";
      default -> node.getNodeType().toString().toLowerCase();
    };
  }

  private static String kind(JsonToken token, RawJson raw) {
    return switch (token) {
      case START_ARRAY -> "an array";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NUMBER_INT -> "the integer " + raw.text();
      case VALUE_NUMBER_FLOAT -> "the number " + raw.text();
      case VALUE_STRING -> "a string";
      default -> "null";
    };
  }

  // ---------------------------------------------------------------- the events of one body

  /** Start, end and first token of each element of the events array. */
  private static final class Spans {
    private int[] offsets = new int[32];
    private final List<JsonToken> kinds = new ArrayList<>();

    void add(JsonToken kind, int start, int end) {
      int i = kinds.size() * 2;
      if (i + 2 > offsets.length) {
        offsets = Arrays.copyOf(offsets, offsets.length * 2);
      }
      offsets[i] = start;
      offsets[i + 1] = end;
      kinds.add(kind);
    }

    int size() {
      return kinds.size();
    }
  }

  /**
   * The events of one body, each read when it is visited and not kept: a caller that goes through them
   * in order holds one event's tree at a time.
   */
  private final class LazyEvents extends AbstractList<ParsedEvent> {
    private final byte[] body;
    private final Spans spans;

    LazyEvents(byte[] body, Spans spans) {
      this.body = body;
      this.spans = spans;
    }

    @Override
    public ParsedEvent get(int index) {
      Objects.checkIndex(index, spans.size());
      return readEvent(index, body, spans.offsets[2 * index], spans.offsets[2 * index + 1],
          spans.kinds.get(index));
    }

    @Override
    public int size() {
      return spans.size();
    }
  }

  /** Checks on the strings and numbers inside {@code data}. */
  static final class Strings {
    private Strings() {}

    /** The index of the first unpaired surrogate of {@code text}, or -1. */
    static int loneSurrogate(String text) {
      for (int i = 0, n = text.length(); i < n; i++) {
        char c = text.charAt(i);
        if (Character.isSurrogate(c)) {
          if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
            i++;
          } else {
            return i;
          }
        }
      }
      return -1;
    }

    /**
     * The first problem inside a {@code data} tree: a key or string with a lone surrogate, or a number
     * that is not finite as a double (SQL tools read JSON numbers as doubles); {@code null} when none.
     */
    static String checkValues(JsonNode node, String path) {
      if (node.isObject()) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
          String child = path + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
          if (loneSurrogate(e.getKey()) >= 0) {
            return "a key of " + path + " holds a lone surrogate, which is not a character and cannot be stored as sent";
          }
          String problem = checkValues(e.getValue(), child);
          if (problem != null) {
            return problem;
          }
        }
      } else if (node.isArray()) {
        for (int i = 0; i < node.size(); i++) {
          String problem = checkValues(node.get(i), path + "/" + i);
          if (problem != null) {
            return problem;
          }
        }
      } else if (node.isTextual()) {
        if (loneSurrogate(node.textValue()) >= 0) {
          return path + " holds a lone surrogate, which is not a character and cannot be stored as sent";
        }
      } else if (node.isNumber() && !node.isInt() && !node.isLong()) {
        if (Double.isInfinite(node.doubleValue())) {
          return path + " is the number " + node.asText() + ", beyond the range of a double"
              + " (about 1.8e308), which SQL tools cannot read";
        }
      }
      return null;
    }
  }
}
