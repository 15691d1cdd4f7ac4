package io.theeye.client.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.theeye.model.Timestamps;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The client's writer of the wire format, tuned for {@code track()}'s thread and the JIT: one event
 * serialized once into its own bytes ({@link #encode}), and a batch's envelope assembled from those
 * bytes ({@link #envelope}). What it writes is what eye-model's {@link io.theeye.model.EventReader} reads. Public only
 * for eye-bench's benchmarks of it. Internal, not for public use.
 */
public final class EventEncoder {

  /** The client's mapper: Jackson's defaults, except that unknown members of an answer are ignored. */
  static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
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
   * {@link #MAPPER}'s factory without buffer recycling: an encoder's generator lives as long
   * as its thread, and holding one of Jackson's per-thread recycled buffers that long would make every other
   * Jackson generator on that thread (the application's own) allocate a fresh one.
   */
  private static final JsonFactory ENCODER_FACTORY = MAPPER.getFactory().rebuild()
      .recyclerPool(JsonRecyclerPools.nonRecyclingPool())
      .build();

  /** {@code data}'s writer: no flush after the value (the encoder flushes once per event). */
  private static final ObjectWriter DATA_WRITER =
      MAPPER.writer().without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

  private static final ThreadLocal<Encoder> ENCODERS = ThreadLocal.withInitial(Encoder::new);

  private EventEncoder() {}

  /**
   * An event serialized once, ready to be placed in an envelope.
   *
   * @param json the event object's UTF-8 bytes
   * @param dataBytes the size of its serialized {@code data} object
   */
  public record Encoded(byte[] json, int dataBytes) {}

  /**
   * Serializes one event from its parts, writing {@code data} (a {@code Map}, a Jackson tree, or any
   * value Jackson can serialize as an object) straight into the output, so it is serialized only once.
   *
   * <p>This is the client's {@code track()} path, so each thread keeps one Jackson generator writing
   * into one growable buffer and reuses them event after event (about 14 KB per thread that encodes); a
   * call made while the same thread is already encoding — a {@code data} value whose serialization
   * tracks an event — gets a fresh pair instead.
   *
   * @param seq the sequence number; a negative one is left out
   * @throws JsonProcessingException when {@code data} cannot be serialized
   */
  public static Encoded encode(String eventId, String sessionId, String category, String name,
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
      Encoded encoded = new Encoded(out.toByteArray(), dataBytes);
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
}
