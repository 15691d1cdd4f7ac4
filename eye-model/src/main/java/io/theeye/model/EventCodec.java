package io.theeye.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes The Eye's JSON bodies with Jackson.
 *
 * <p>Reading accepts the three shapes of the protocol — a batch envelope {@code {"sent_at": …,
 * "events": […]}}, a bare array of events, or a single event object — and tolerates trailing commas.
 * Each element comes back as a {@link ParsedEvent.Valid} or a {@link ParsedEvent.Rejected} with its
 * reason; a body that is unusable as a whole is one {@link MalformedBodyException}.
 *
 * <pre>{@code
 * EventCodec codec = EventCodec.withDefaults();
 * ParsedBatch batch = codec.parse(bodyBytes);   // throws MalformedBodyException
 * for (ParsedEvent e : batch.events()) { ... }
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class EventCodec {

  /**
   * The shared, thread-safe mapper: trailing commas allowed, unknown members ignored, anything after
   * the root value refused.
   */
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static final byte[] ENVELOPE_EVENTS_ONLY = "{\"events\":[".getBytes(StandardCharsets.UTF_8);
  private static final byte[] ENVELOPE_END = "]}".getBytes(StandardCharsets.UTF_8);

  /** The fields' names, quoted and encoded once. */
  private static final SerializedString[] TEXT_FIELDS = {
      new SerializedString("event_id"), new SerializedString("session_id"), new SerializedString("category"),
      new SerializedString("name")};
  private static final SerializedString TIMESTAMP = new SerializedString("timestamp");
  private static final SerializedString SEQ = new SerializedString("seq");
  private static final SerializedString DATA = new SerializedString("data");

  /**
   * {@link #MAPPER}'s factory without buffer recycling: an encoder's generator lives as long as its
   * thread, and holding one of Jackson's per-thread recycled buffers that long would make every other
   * Jackson generator on that thread (the application's own) allocate a fresh one.
   */
  private static final JsonFactory ENCODER_FACTORY = MAPPER.getFactory().rebuild()
      .recyclerPool(JsonRecyclerPools.nonRecyclingPool())
      .build();

  /** {@code data}'s writer: no flush after the value (the encoder flushes once per event). */
  private static final ObjectWriter DATA_WRITER =
      MAPPER.writer().without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

  private static final ThreadLocal<Encoder> ENCODERS = ThreadLocal.withInitial(Encoder::new);

  private final int maxEventsPerRequest;
  private final int maxDataBytes;

  private EventCodec(int maxEventsPerRequest, int maxDataBytes) {
    if (maxEventsPerRequest <= 0) {
      throw new IllegalArgumentException("maxEventsPerRequest must be positive");
    }
    if (maxDataBytes <= 0) {
      throw new IllegalArgumentException("maxDataBytes must be positive");
    }
    this.maxEventsPerRequest = maxEventsPerRequest;
    this.maxDataBytes = maxDataBytes;
  }

  /** A codec with the protocol's default limits (1000 events per request, 32 KiB of data per event). */
  public static EventCodec withDefaults() {
    return new EventCodec(EyeProtocol.DEFAULT_MAX_EVENTS_PER_REQUEST, EyeProtocol.DEFAULT_MAX_DATA_BYTES);
  }

  /** A codec with the given limits; each must be positive. */
  public static EventCodec withLimits(int maxEventsPerRequest, int maxDataBytes) {
    return new EventCodec(maxEventsPerRequest, maxDataBytes);
  }

  /** The per-request event limit. */
  public int maxEventsPerRequest() {
    return maxEventsPerRequest;
  }

  /** The per-event {@code data} limit in bytes. */
  public int maxDataBytes() {
    return maxDataBytes;
  }

  // ---------------------------------------------------------------- reading

  /**
   * Parses a (decompressed) request body.
   *
   * @throws MalformedBodyException when the body is not JSON, not one of the three shapes, holds no
   *     event, or holds more than the event limit
   */
  public ParsedBatch parse(byte[] body) throws MalformedBodyException {
    if (body == null || body.length == 0) {
      throw new MalformedBodyException("the request body is empty");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException e) {
      throw new MalformedBodyException("the request body is not valid JSON: " + describe(e));
    }
    if (root == null || root.isMissingNode()) {
      throw new MalformedBodyException("the request body is empty");
    }
    Instant sentAt = null;
    JsonNode events;
    if (root.isArray()) {
      events = root;
    } else if (root.isObject() && root.has("events")) {
      events = root.get("events");
      if (!events.isArray()) {
        throw new MalformedBodyException("\"events\" must be an array of event objects");
      }
      JsonNode sent = root.get("sent_at");
      if (sent != null && !sent.isNull()) {
        if (!sent.isTextual()) {
          throw new MalformedBodyException("\"sent_at\" must be a timestamp string");
        }
        try {
          sentAt = Timestamps.parse(sent.textValue());
        } catch (Timestamps.InvalidTimestampException e) {
          throw new MalformedBodyException("\"sent_at\": " + e.getMessage());
        }
      }
    } else if (root.isObject()) {
      return new ParsedBatch(null, List.of(parseEvent(0, root)));
    } else {
      throw new MalformedBodyException(
          "the request body must be an event object, an array of events, or {\"events\": [...]}");
    }
    int n = events.size();
    if (n == 0) {
      throw new MalformedBodyException("the request holds no event");
    }
    if (n > maxEventsPerRequest) {
      throw new MalformedBodyException(
          "the request holds " + n + " events; at most " + maxEventsPerRequest + " are allowed");
    }
    List<ParsedEvent> parsed = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      parsed.add(parseEvent(i, events.get(i)));
    }
    return new ParsedBatch(sentAt, parsed);
  }

  /** Checks one event element; never throws for bad input. */
  ParsedEvent parseEvent(int index, JsonNode node) {
    if (!node.isObject()) {
      return new ParsedEvent.Rejected(index, Reason.MALFORMED_EVENT,
          "an event must be a JSON object, was " + kind(node), null, null, null, null, raw(node));
    }
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
          eventId, sessionId, category, name, node);
    }

    Instant timestamp;
    try {
      timestamp = Timestamps.parse(tsText);
    } catch (Timestamps.InvalidTimestampException e) {
      return reject(index, Reason.INVALID_TIMESTAMP, e.getMessage(),
          eventId, sessionId, category, name, node);
    }

    String dataJson;
    if (data == null) {
      dataJson = "{}";
    } else {
      dataJson = toJson(data);
      int size = utf8Length(dataJson);
      if (size > maxDataBytes) {
        return reject(index, Reason.PAYLOAD_TOO_LARGE,
            "data is " + size + " bytes serialized; at most " + maxDataBytes + " are allowed",
            eventId, sessionId, category, name, node);
      }
    }
    Event event = new Event(eventId, sessionId, category, name, data, timestamp, seq);
    return new ParsedEvent.Valid(index, event, dataJson);
  }

  private static ParsedEvent.Rejected reject(int index, Reason reason, String detail, String eventId,
      String sessionId, String category, String name, JsonNode node) {
    return new ParsedEvent.Rejected(index, reason, detail, eventId, sessionId, category, name, raw(node));
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
    int length = Event.length(text);
    if (length < 1 || length > max) {
      problems.add(field + " must be 1-" + max + " characters, was " + length);
      // Keep a too-long value out of the rejected row's column; the raw JSON still has it.
      return length > max ? null : text;
    }
    return text;
  }

  private static String kind(JsonNode node) {
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

  private static String raw(JsonNode node) {
    return truncateUtf8(toJson(node), EyeProtocol.MAX_RAW_BYTES);
  }

  /** A parse error for the sender, without Jackson's class names. */
  private static String describe(IOException e) {
    if (e instanceof JsonParseException p) {
      JsonLocation at = p.getLocation();
      return p.getOriginalMessage().lines().findFirst().orElse("syntax error")
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
    }
    return "it holds more than one JSON value";
  }

  // ---------------------------------------------------------------- writing

  /** Serializes a JSON tree compactly. */
  public static String toJson(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An event serialized once, ready to be placed in an envelope.
   *
   * @param json the event object's UTF-8 bytes
   * @param dataBytes the size of its serialized {@code data} object
   */
  public record EncodedEvent(byte[] json, int dataBytes) {}

  /** Serializes an {@link Event}. */
  public static EncodedEvent encode(Event event) throws JsonProcessingException {
    Long seq = event.seq();
    return encode(event.eventId(), event.sessionId(), event.category(), event.name(), event.data(),
        event.timestamp(), seq == null ? -1 : seq);
  }

  /**
   * Serializes one event from its parts, writing {@code data} (a {@code Map}, a Jackson tree, or any
   * value Jackson can serialize as an object) straight into the output, so it is serialized only once.
   *
   * @param seq the sequence number, or {@code null} to leave it out
   * @throws JsonProcessingException when {@code data} cannot be serialized
   */
  public static EncodedEvent encode(String eventId, String sessionId, String category, String name,
      Object data, Instant timestamp, Long seq) throws JsonProcessingException {
    return encode(eventId, sessionId, category, name, data, timestamp, seq == null ? -1 : seq.longValue());
  }

  /**
   * As {@link #encode(String, String, String, String, Object, Instant, Long)}, with a primitive
   * {@code seq}: a negative one is left out.
   *
   * <p>This is the client's {@code track()} path, so each thread keeps one Jackson generator writing
   * into one growable buffer and reuses them event after event (about 14 KB per thread that encodes); a call
   * made while the same thread is already encoding — a {@code data} value whose serialization tracks an
   * event — gets a fresh pair instead.
   *
   * @throws JsonProcessingException when {@code data} cannot be serialized
   */
  public static EncodedEvent encode(String eventId, String sessionId, String category, String name,
      Object data, Instant timestamp, long seq) throws JsonProcessingException {
    // One method from the thread's encoder to the bytes, rather than a small wrapper around a worker:
    // a small method is inlined into its callers, and the JIT would compile all of Jackson's writing
    // below it once more into each of them.
    Encoder encoder = ENCODERS.get();
    if (encoder.busy) {
      encoder = new Encoder();
    }
    encoder.busy = true;
    Encoder.Output out = encoder.out;
    boolean done = false;
    try {
      JsonGenerator g = encoder.generator();
      g.writeStartObject();
      // One call site for the four text fields, not four: the JIT inlines Jackson's field and string
      // writing once per call site, and compiling this method is a cost every client's first seconds pay.
      for (int i = eventId == null ? 1 : 0; i < TEXT_FIELDS.length; i++) {
        g.writeFieldName(TEXT_FIELDS[i]);
        g.writeString(i == 0 ? eventId : i == 1 ? sessionId : i == 2 ? category : name);
      }
      g.writeFieldName(TIMESTAMP);
      char[] stamp = encoder.stamp;
      if (encoder.writeStamp(timestamp)) {
        g.writeString(stamp, 0, stamp.length);
      } else {
        g.writeString(Timestamps.format(timestamp));
      }
      if (seq >= 0) {
        g.writeFieldName(SEQ);
        g.writeNumber(seq);
      }
      g.writeFieldName(DATA);
      int before = out.size() + g.getOutputBuffered();
      if (data == null) {
        g.writeStartObject();
        g.writeEndObject();
      } else {
        writeValue(g, data);
      }
      // The generator writes the ':' separator together with the value.
      int dataBytes = out.size() + g.getOutputBuffered() - before - 1;
      g.writeEndObject();
      g.flush();
      EncodedEvent encoded = new EncodedEvent(out.toByteArray(), dataBytes);
      done = true;
      return encoded;
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      // Output does no I/O; anything else is a serialization problem of the data.
      throw new UncheckedIOException(e);
    } finally {
      if (!done) {
        // A failure leaves the generator inside the event's object: start afresh next time.
        encoder.discardGenerator();
      }
      out.reset(Encoder.KEEP_BYTES);
      encoder.busy = false;
    }
  }

  private static final Module JAVA_BASE = Object.class.getModule();

  /**
   * Writes {@code value} as {@link #MAPPER} would. What event data is made of — maps with string keys,
   * lists, strings, integers, longs, doubles, booleans, {@code null} — goes straight to the generator's
   * matching call, which is what Jackson's own serializers for those types make; anything else (records,
   * beans, other numbers, dates, trees, a map with a key that is not a string, an application's own map
   * class) goes through Jackson's serializers from that point down. Per event, that skips the serializer
   * provider Jackson creates for each {@code writeValue} and its lookups, and a good deal of code for the
   * JIT to compile before the client runs at full speed.
   */
  private static void writeValue(JsonGenerator g, Object value) throws IOException {
    if (value instanceof String text) {
      g.writeString(text);
    } else if (value instanceof Map<?, ?> map && map.getClass().getModule() == JAVA_BASE && hasStringKeys(map)) {
      g.writeStartObject(map, map.size());
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeFieldName((String) e.getKey());
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    } else if (value instanceof List<?> list && list.getClass().getModule() == JAVA_BASE) {
      int n = list.size();
      g.writeStartArray(list, n);
      for (Object element : list) {
        writeValue(g, element);
      }
      g.writeEndArray();
    } else if (value == null) {
      g.writeNull();
    } else if (value instanceof Integer i) {
      g.writeNumber(i.intValue());
    } else if (value instanceof Long l) {
      g.writeNumber(l.longValue());
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Double d) {
      g.writeNumber(d.doubleValue());
    } else {
      DATA_WRITER.writeValue(g, value);
    }
  }

  private static boolean hasStringKeys(Map<?, ?> map) {
    for (Object key : map.keySet()) {
      if (!(key instanceof String)) {
        return false;
      }
    }
    return true;
  }

  /** One thread's generator, its output buffer, and room for a timestamp's text. */
  private static final class Encoder {
    /** A buffer grown past this by a large event is let go afterwards. */
    static final int KEEP_BYTES = 16 * 1024;

    final Output out = new Output();
    /** The timestamp's text, {@code YYYY-MM-DD HH:MM:SS.ffffff}. */
    final char[] stamp = new char[26];
    /** The epoch second whose date and time of day {@link #stamp} holds; none at first. */
    private long stampSecond = Long.MIN_VALUE;
    private JsonGenerator generator;
    boolean busy;

    /**
     * Writes {@code instant}'s storage form into {@link #stamp}; false when it has none (a year beyond
     * 0000-9999). Events come many to a second, so the date and time of day are formatted once per
     * second and each event writes only its microseconds — which also keeps java.time's calendar
     * arithmetic off the path the JIT compiles into {@code encode}.
     */
    boolean writeStamp(Instant instant) {
      long second = instant.getEpochSecond();
      if (second == stampSecond) {
        Timestamps.formatMicros(instant.getNano(), stamp);
        return true;
      }
      return newSecond(instant, second);
    }

    private boolean newSecond(Instant instant, long second) {
      boolean written = Timestamps.format(instant, stamp);
      stampSecond = written ? second : Long.MIN_VALUE;
      return written;
    }

    JsonGenerator generator() throws IOException {
      if (generator == null) {
        generator = ENCODER_FACTORY.createGenerator(out);
        generator.setCodec(MAPPER);
        // Events are written one after another as root values; nothing goes between them.
        generator.setRootValueSeparator(null);
      }
      return generator;
    }

    void discardGenerator() {
      JsonGenerator g = generator;
      generator = null;
      if (g != null) {
        try {
          g.close();
        } catch (IOException | RuntimeException ignored) {
          // Only its buffer is lost; the next event gets a new generator.
        }
      }
    }

    /** A growable byte buffer; unsynchronized, unlike {@code ByteArrayOutputStream}. */
    static final class Output extends OutputStream {
      private static final int INITIAL_BYTES = 1024;

      private byte[] buf = new byte[INITIAL_BYTES];
      private int count;

      @Override
      public void write(int b) {
        if (count == buf.length) {
          buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[count++] = (byte) b;
      }

      @Override
      public void write(byte[] b, int off, int len) {
        if (len > buf.length - count) {
          buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + len));
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
      }

      int size() {
        return count;
      }

      byte[] toByteArray() {
        return Arrays.copyOf(buf, count);
      }

      void reset(int keepBytes) {
        count = 0;
        if (buf.length > keepBytes) {
          buf = new byte[INITIAL_BYTES];
        }
      }
    }
  }

  /**
   * Builds an envelope {@code {"sent_at": …, "events": [e1, e2, …]}} from events encoded with
   * {@link #encode}. The pieces are Jackson's output; only the brackets and commas are added here.
   *
   * @param sentAt the send time, or {@code null} to leave {@code sent_at} out
   */
  public static byte[] envelope(Instant sentAt, List<byte[]> encodedEvents) {
    int size = 64 + encodedEvents.size();
    for (byte[] e : encodedEvents) {
      size += e.length;
    }
    try (ByteArrayBuilder out = new ByteArrayBuilder(size)) {
      envelope(sentAt, encodedEvents, out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes the envelope of {@link #envelope(Instant, List)} to {@code out}, for a sender that reuses
   * one buffer for every body.
   *
   * @param sentAt the send time, or {@code null} to leave {@code sent_at} out
   * @throws IOException when {@code out} does
   */
  public static void envelope(Instant sentAt, List<byte[]> encodedEvents, OutputStream out) throws IOException {
    if (sentAt == null) {
      out.write(ENVELOPE_EVENTS_ONLY);
    } else {
      out.write(("{\"sent_at\":\"" + Timestamps.format(sentAt) + "\",\"events\":[")
          .getBytes(StandardCharsets.UTF_8));
    }
    for (int i = 0, n = encodedEvents.size(); i < n; i++) {
      if (i > 0) {
        out.write(',');
      }
      out.write(encodedEvents.get(i));
    }
    out.write(ENVELOPE_END);
  }

  /** Writes a whole batch as an envelope. */
  public static byte[] write(EventBatch batch) throws JsonProcessingException {
    List<byte[]> encoded = new ArrayList<>(batch.events().size());
    for (Event e : batch.events()) {
      encoded.add(encode(e).json());
    }
    return envelope(batch.sentAt(), encoded);
  }

  // ---------------------------------------------------------------- helpers

  /** The number of bytes {@code text} takes in UTF-8, without encoding it. */
  public static int utf8Length(CharSequence text) {
    int bytes = 0;
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** Cuts {@code text} to at most {@code maxBytes} UTF-8 bytes, never inside a character. */
  public static String truncateUtf8(String text, int maxBytes) {
    if (text.length() * 3L <= maxBytes || utf8Length(text) <= maxBytes) {
      return text;
    }
    int bytes = 0;
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + len > maxBytes) {
        break;
      }
      bytes += len;
      i += Character.charCount(cp);
    }
    return text.substring(0, i);
  }

  /** Cuts raw bytes to at most {@code maxBytes} and decodes them as UTF-8 (malformed input replaced). */
  public static String truncateUtf8(byte[] body, int maxBytes) {
    int n = Math.min(body.length, maxBytes);
    // Step back off a multi-byte sequence that the cut left incomplete.
    if (n < body.length) {
      int back = 0;
      while (back < 3 && n - back > 0 && (body[n - back - 1] & 0xC0) == 0x80) {
        back++;
      }
      int lead = n - back - 1;
      if (lead >= 0 && (body[lead] & 0xC0) == 0xC0) {
        int b = body[lead] & 0xFF;
        int expected = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
        if (back + 1 < expected) {
          n = lead;
        }
      }
    }
    return new String(body, 0, n, StandardCharsets.UTF_8);
  }
}
