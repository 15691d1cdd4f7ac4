package io.theeye.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.theeye.model.Event;
import io.theeye.model.EventReader;
import io.theeye.model.ParsedBatch;
import io.theeye.model.ParsedEvent;
import io.theeye.model.Timestamps;
import io.theeye.model.Uuid7;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's tuned writer: what it writes is what the collector's {@link EventReader} reads. */
class EventEncoderTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final EventReader READER = EventReader.withDefaults();

  // ------------------------------------------------------------------ writing

  @Test
  void encodedEventsRoundTripThroughAnEnvelope() throws Exception {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("host", "www.ca.com");
    data.put("path", "/");
    List<byte[]> encoded = new ArrayList<>();
    EventEncoder.Encoded first = EventEncoder.encode("e-1", "s-1", "page interaction", "pageview", data,
        Instant.parse("2021-01-01T09:15:27.243860Z"), 0L);
    assertThat(first.dataBytes()).isEqualTo("{\"host\":\"www.ca.com\",\"path\":\"/\"}".length());
    encoded.add(first.json());
    encoded.add(EventEncoder.encode("e-2", "s-1", "page interaction", "cta click", null,
        Instant.parse("2021-01-01T09:15:27.243860Z"), 1L).json());

    ParsedBatch batch = READER.parse(EventEncoder.envelope(Instant.parse("2021-01-01T09:15:28Z"), encoded));
    assertThat(batch.sentAt()).isEqualTo(Instant.parse("2021-01-01T09:15:28Z"));
    assertThat(batch.events()).allMatch(e -> e instanceof ParsedEvent.Valid);
    Event e1 = ((ParsedEvent.Valid) batch.events().get(0)).event();
    assertThat(e1.eventId()).isEqualTo("e-1");
    assertThat(e1.seq()).isZero();
    assertThat(e1.data().get("path").asText()).isEqualTo("/");
    assertThat(((ParsedEvent.Valid) batch.events().get(1)).dataJson()).isEqualTo("{}");
  }

  @Test
  void eachEncodedEventIsExactlyOneObjectWhenAThreadEncodesMany() throws Exception {
    // A thread reuses one generator for every event: nothing of one event may leak into the next.
    Instant at = Instant.parse("2021-01-01T09:15:27.243860Z");
    for (int i = 0; i < 3; i++) {
      EventEncoder.Encoded e = EventEncoder.encode("e-" + i, "s-1", "page interaction", "pageview",
          Map.of("path", "/" + i), at, (long) i);
      assertThat(new String(e.json(), StandardCharsets.UTF_8)).isEqualTo("{\"event_id\":\"e-" + i
          + "\",\"session_id\":\"s-1\",\"category\":\"page interaction\",\"name\":\"pageview\","
          + "\"timestamp\":\"2021-01-01 09:15:27.243860\",\"seq\":" + i + ",\"data\":{\"path\":\"/" + i + "\"}}");
      assertThat(e.dataBytes()).isEqualTo("{\"path\":\"/0\"}".length());
    }
  }

  /** A record, serialized by Jackson's bean serializer. */
  public record Form(String firstName, int age) {}

  /** An application's own map type, which Jackson serializes through its annotations. */
  public static final class Tagged extends java.util.HashMap<String, Object> {
    @com.fasterxml.jackson.annotation.JsonValue
    public String tag() {
      return "tagged";
    }
  }

  @Test
  void dataIsWrittenExactlyAsTheMapperWritesIt() throws Exception {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("first_name", "John \"Q\" \u00e9\u20ac\uD83D\uDC41 \n\t\u0001");
    nested.put("nothing", null);
    Map<Object, Object> intKeys = new java.util.TreeMap<>(Map.of(2, "two", 1, "one"));
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("host", "www.ca.com");
    data.put("form", nested);
    data.put("numbers", List.of(1, 2L, 3.5, 1.1f, new java.math.BigDecimal("1e400"), Long.MAX_VALUE, Double.NaN));
    data.put("flags", java.util.Arrays.asList(true, false, null));
    data.put("empty", Map.of());
    data.put("record", new Form("Jane", 41));
    data.put("int keys", intKeys);
    data.put("own map", new Tagged());
    data.put("set", new java.util.TreeSet<>(List.of("b", "a")));
    data.put("uuid", java.util.UUID.fromString("e2085be5-9137-4e4e-80b5-f1ffddc25423"));
    data.put("date", new java.util.Date(0));
    data.put("tree", MAPPER.createObjectNode().put("k", "v"));
    data.put("chars", 'c');
    data.put("array", new int[] {1, 2});

    EventEncoder.Encoded e = EventEncoder.encode("e-1", "s", "c", "n", data, Instant.EPOCH, -1L);

    String json = new String(e.json(), StandardCharsets.UTF_8);
    // Bytes, as the encoder writes them (Jackson's byte generator escapes a surrogate pair).
    String expected = new String(MAPPER.writeValueAsBytes(data), StandardCharsets.UTF_8);
    assertThat(json).endsWith("\"data\":" + expected + "}");
    assertThat(e.dataBytes()).isEqualTo(expected.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void aMapWithANullKeyIsRefusedAsTheMapperRefusesIt() {
    Map<String, Object> withNullKey = new java.util.HashMap<>();
    withNullKey.put(null, "v");
    assertThatThrownBy(() -> EventEncoder.encode("e-1", "s", "c", "n", Map.of("inner", withNullKey), Instant.EPOCH, -1L))
        .isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class)
        .hasMessageContaining("Null key");
  }

  @Test
  void aFailedEncodingLeavesNothingBehindForTheNextEvent() throws Exception {
    Map<String, Object> broken = new LinkedHashMap<>();
    broken.put("fine", "value");
    broken.put("bad", new Object()); // no properties: Jackson refuses it
    Instant at = Instant.parse("2021-01-01T09:15:27Z");
    assertThatThrownBy(() -> EventEncoder.encode("e-1", "s", "c", "n", broken, at, 0L))
        .isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);

    EventEncoder.Encoded next = EventEncoder.encode("e-2", "s", "c", "n", Map.of("k", "v"), at, 1L);
    assertThat(new String(next.json(), StandardCharsets.UTF_8)).isEqualTo("{\"event_id\":\"e-2\","
        + "\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27.000000\","
        + "\"seq\":1,\"data\":{\"k\":\"v\"}}");
  }

  /** A bean whose serialization encodes another event on the same thread, as a tracking getter would. */
  public static final class Reentrant {
    private byte[] inner;

    public String getValue() throws Exception {
      inner = EventEncoder.encode("inner", "s", "c", "n", Map.of("k", "v"), Instant.EPOCH, -1L).json();
      return "outer";
    }
  }

  @Test
  void encodingFromInsideAnEncodingGetsItsOwnGenerator() throws Exception {
    Reentrant bean = new Reentrant();
    EventEncoder.Encoded outer = EventEncoder.encode("outer", "s", "c", "n", Map.of("bean", bean),
        Instant.EPOCH, -1L);
    assertThat(new String(outer.json(), StandardCharsets.UTF_8)).endsWith(
        "\"data\":{\"bean\":{\"value\":\"outer\"}}}");
    assertThat(new String(bean.inner, StandardCharsets.UTF_8)).isEqualTo("{\"event_id\":\"inner\","
        + "\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"1970-01-01 00:00:00.000000\","
        + "\"data\":{\"k\":\"v\"}}");
  }

  @Test
  void aLargeEventThenASmallOneAreBothWhole() throws Exception {
    String big = "x".repeat(100_000);
    byte[] large = EventEncoder.encode("e-1", "s", "c", "n", Map.of("big", big), Instant.EPOCH, -1L).json();
    byte[] small = EventEncoder.encode("e-2", "s", "c", "n", Map.of("k", "v"), Instant.EPOCH, -1L).json();
    assertThat(new String(large, StandardCharsets.UTF_8)).contains(big).endsWith("\"}}");
    assertThat(new String(small, StandardCharsets.UTF_8)).startsWith("{\"event_id\":\"e-2\"").endsWith("{\"k\":\"v\"}}");
  }

  @Test
  void timestampsInTheSameSecondAndAcrossSecondsAreEachWrittenWhole() throws Exception {
    List<Instant> times = List.of(
        Instant.parse("2021-01-01T09:15:27.243860Z"),
        Instant.parse("2021-01-01T09:15:27.000001Z"),
        Instant.parse("2021-01-01T09:15:27.999999Z"),
        Instant.parse("2021-01-01T09:15:28Z"),
        Instant.parse("+12021-01-01T09:15:28.5Z"),
        Instant.parse("2021-01-01T09:15:28.000007Z"),
        Instant.parse("2020-12-31T23:59:59.999999Z"),
        Instant.parse("2021-01-01T09:15:28.25Z"));
    for (Instant t : times) {
      byte[] json = EventEncoder.encode("e-1", "s", "c", "n", null, t, -1L).json();
      assertThat(new String(json, StandardCharsets.UTF_8))
          .as("event at %s", t)
          .contains("\"timestamp\":\"" + Timestamps.format(t) + "\"");
    }
  }

  @Test
  void aTimestampBeyondYear9999IsStillWritten() throws Exception {
    Instant far = Instant.parse("+12021-01-01T09:15:27.243860Z");
    byte[] json = EventEncoder.encode("e-1", "s", "c", "n", null, far, -1L).json();
    assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"timestamp\":\"" + Timestamps.format(far) + "\"");
  }

  @Test
  void writesABatchOfEvents() throws Exception {
    ObjectNode data = MAPPER.createObjectNode().put("element", "chat bubble");
    Event event = new Event(Uuid7.next(), "s", "c", "n", data, Instant.parse("2021-01-01T09:15:27.243860123Z"), 3L);
    byte[] body = EventEncoder.envelope(null, List.of(EventEncoder.encode(event.eventId(), event.sessionId(),
        event.category(), event.name(), event.data(), event.timestamp(), event.seq()).json()));
    Event back = ((ParsedEvent.Valid) READER.parse(body).events().get(0)).event();
    assertThat(back).isEqualTo(event);
  }

  private static String json(Map<String, Object> event) throws Exception {
    return MAPPER.writeValueAsString(event);
  }
}
