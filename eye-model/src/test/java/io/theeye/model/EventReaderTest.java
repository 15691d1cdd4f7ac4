package io.theeye.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventReaderTest {

  private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

  private static final String VALID =
      "{\"session_id\":\"s-1\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\"}";

  private final EventReader codec = EventReader.withDefaults();

  // ------------------------------------------------------------------ malformed_event rules

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      // missing required fields
      "missing session_id | {\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\"} | session_id is required",
      "missing category   | {\"session_id\":\"s\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\"} | category is required",
      "missing name       | {\"session_id\":\"s\",\"category\":\"c\",\"timestamp\":\"2021-01-01 09:15:27\"} | name is required",
      "missing timestamp  | {\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\"} | timestamp is required",
      "null session_id    | {\"session_id\":null,\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\"} | session_id is required",
      // wrong types
      "numeric session_id | {\"session_id\":42,\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\"} | session_id must be a string, was the integer 42",
      "array category     | {\"session_id\":\"s\",\"category\":[\"c\"],\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\"} | category must be a string, was an array",
      "object name        | {\"session_id\":\"s\",\"category\":\"c\",\"name\":{},\"timestamp\":\"2021-01-01 09:15:27\"} | name must be a string, was an object",
      "numeric timestamp  | {\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":1609492527} | timestamp must be a string",
      "numeric event_id   | {\"event_id\":7,\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\"} | event_id must be a string",
      "data is an array   | {\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\",\"data\":[1]} | data must be a JSON object, was an array",
      "data is a string   | {\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\",\"data\":\"x\"} | data must be a JSON object, was a string",
      "data is a number   | {\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\",\"data\":3} | data must be a JSON object",
      "seq is negative    | {\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\",\"seq\":-1} | seq must be an integer >= 0, was -1",
      "seq is fractional  | {\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\",\"seq\":1.5} | seq must be an integer >= 0",
      "seq is a string    | {\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\",\"seq\":\"1\"} | seq must be an integer >= 0",
      "seq beyond a long  | {\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\",\"seq\":99999999999999999999} | seq must be an integer >= 0",
      // length 0
      "empty session_id   | {\"session_id\":\"\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\"} | session_id must be 1-128 characters, was 0",
      "empty category     | {\"session_id\":\"s\",\"category\":\"\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\"} | category must be 1-128 characters, was 0",
      "empty name         | {\"session_id\":\"s\",\"category\":\"c\",\"name\":\"\",\"timestamp\":\"2021-01-01 09:15:27\"} | name must be 1-128 characters, was 0",
      "empty event_id     | {\"event_id\":\"\",\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\"} | event_id must be 1-64 characters, was 0",
      "not an object      | 42 | an event must be a JSON object, was the integer 42",
  })
  void eachFieldRuleIsAMalformedEvent(String rule, String event, String detail) throws Exception {
    ParsedEvent.Rejected r = rejectedInArray(event);
    assertThat(r.reason()).as(rule).isEqualTo(Reason.MALFORMED_EVENT);
    assertThat(r.detail()).as(rule).contains(detail);
  }

  @ParameterizedTest(name = "{0} at its limit passes, one over is malformed")
  @CsvSource({"session_id,128", "category,128", "name,128", "event_id,64"})
  void lengthLimitsAreInclusiveAndCrossingThemIsMalformed(String field, int max) throws Exception {
    Map<String, Object> event = new LinkedHashMap<>(Map.of(
        "session_id", "s", "category", "c", "name", "n", "timestamp", "2021-01-01 09:15:27"));
    event.put(field, "x".repeat(max));
    assertThat(parseOne(json(event))).isInstanceOf(ParsedEvent.Valid.class);

    event.put(field, "x".repeat(max + 1));
    ParsedEvent over = parseOne(json(event));
    assertThat(over).isInstanceOfSatisfying(ParsedEvent.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(Reason.MALFORMED_EVENT);
      assertThat(r.detail()).isEqualTo(field + " must be 1-" + max + " characters, was " + (max + 1));
    });
  }

  @Test
  void lengthsCountCharactersNotBytes() throws Exception {
    // 128 four-byte characters: 512 bytes of UTF-8, still 128 characters.
    String emoji = "\uD83D\uDC41".repeat(128);
    assertThat(parseOne(VALID.replace("\"s-1\"", "\"" + emoji + "\""))).isInstanceOf(ParsedEvent.Valid.class);
  }

  @Test
  void everyProblemOfOneEventIsNamedInItsDetail() throws Exception {
    ParsedEvent.Rejected r = rejectedInArray("{\"session_id\":1,\"name\":\"\"}");
    assertThat(r.detail()).contains("session_id must be a string", "category is required",
        "name must be 1-128 characters", "timestamp is required");
  }

  @Test
  void aRejectedEventKeepsItsIdentifyingFieldsAndRawJson() throws Exception {
    ParsedEvent.Rejected r = rejectedInArray(
        "{\"event_id\":\"e-1\",\"session_id\":\"s-1\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"nope\"}");
    assertThat(r.reason()).isEqualTo(Reason.INVALID_TIMESTAMP);
    assertThat(r.eventId()).isEqualTo("e-1");
    assertThat(r.sessionId()).isEqualTo("s-1");
    assertThat(r.category()).isEqualTo("c");
    assertThat(r.name()).isEqualTo("n");
    assertThat(r.raw()).contains("\"timestamp\":\"nope\"");
  }

  // ------------------------------------------------------------------ payload size

  @Test
  void dataOverThePerEventLimitIsPayloadTooLarge() throws Exception {
    EventReader small = EventReader.withLimits(1000, 100);
    // {"k":"xxx…"} is 8 bytes plus the string.
    String atLimit = VALID.replace("}", ",\"data\":{\"k\":\"" + "x".repeat(92) + "\"}}");
    String overLimit = VALID.replace("}", ",\"data\":{\"k\":\"" + "x".repeat(93) + "\"}}");
    assertThat(small.parse(atLimit.getBytes(StandardCharsets.UTF_8)).events().get(0))
        .isInstanceOf(ParsedEvent.Valid.class);
    assertThat(small.parse(overLimit.getBytes(StandardCharsets.UTF_8)).events().get(0))
        .isInstanceOfSatisfying(ParsedEvent.Rejected.class, r -> {
          assertThat(r.reason()).isEqualTo(Reason.PAYLOAD_TOO_LARGE);
          assertThat(r.detail()).contains("101 bytes").contains("100");
        });
  }

  @Test
  void theDefaultDataLimitIs32KiB() throws Exception {
    String big = VALID.replace("}", ",\"data\":{\"k\":\"" + "x".repeat(32 * 1024) + "\"}}");
    assertThat(((ParsedEvent.Rejected) parseOne(big)).reason()).isEqualTo(Reason.PAYLOAD_TOO_LARGE);
  }

  // ------------------------------------------------------------------ body shapes

  @Test
  void absentOrNullDataIsAnEmptyObject() throws Exception {
    ParsedEvent.Valid v = (ParsedEvent.Valid) parseOne(VALID);
    assertThat(v.dataJson()).isEqualTo("{}");
    assertThat(v.event().data().isEmpty()).isTrue();
    v = (ParsedEvent.Valid) parseOne(VALID.replace("}", ",\"data\":null}"));
    assertThat(v.dataJson()).isEqualTo("{}");
  }

  @Test
  void unknownFieldsAreIgnoredAndOptionalOnesRead() throws Exception {
    ParsedEvent.Valid v = (ParsedEvent.Valid) parseOne(
        VALID.replace("}", ",\"event_id\":\"e-9\",\"seq\":7,\"colour\":\"blue\"}"));
    assertThat(v.event().eventId()).isEqualTo("e-9");
    assertThat(v.event().seq()).isEqualTo(7L);
  }

  @Test
  void readsTheThreeShapes() throws Exception {
    assertThat(codec.parse(bytes(VALID)).events()).hasSize(1);
    assertThat(codec.parse(bytes("[" + VALID + "," + VALID + "]")).events()).hasSize(2);
    ParsedBatch envelope = codec.parse(bytes(
        "{\"sent_at\":\"2021-01-01T09:15:30Z\",\"events\":[" + VALID + "," + VALID + "," + VALID + ",],}"));
    assertThat(envelope.events()).hasSize(3);
    assertThat(envelope.sentAt()).isEqualTo(Instant.parse("2021-01-01T09:15:30Z"));
    assertThat(codec.parse(bytes("{\"events\":[" + VALID + "]}")).sentAt()).isNull();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "",
      "   ",
      "not json",
      "{\"session_id\": ",
      "[]",
      "{\"events\": []}",
      "{\"events\": {}}",
      "{\"events\": \"x\"}",
      "\"a string\"",
      "42",
      "null",
      "true",
      "{\"sent_at\": \"yesterday\", \"events\": [{}]}",
      "{\"sent_at\": 5, \"events\": [{}]}",
      "[{}] [{}]",
  })
  void unusableBodiesAreOneTypedError(String body) {
    assertThatThrownBy(() -> codec.parse(bytes(body)))
        .isInstanceOf(MalformedBodyException.class)
        .satisfies(e -> assertThat(((MalformedBodyException) e).reason()).isEqualTo(Reason.MALFORMED_BODY))
        .hasMessageNotContaining("com.fasterxml");
  }

  @Test
  void moreEventsThanTheLimitIsMalformedBody() throws Exception {
    EventReader three = EventReader.withLimits(3, 1024);
    assertThat(three.parse(bytes("[" + String.join(",", List.of(VALID, VALID, VALID)) + "]")).events()).hasSize(3);
    assertThatThrownBy(() -> three.parse(bytes("[" + String.join(",", List.of(VALID, VALID, VALID, VALID)) + "]")))
        .isInstanceOf(MalformedBodyException.class)
        // Reading stops at the fourth event, so the message names the limit, not the count.
        .hasMessageContaining("more than 3 events").hasMessageContaining("at most 3");
  }

  @Test
  void eventRecordChecksItsFields() {
    assertThat(new Event(null, "s", "c", "n", null, Instant.EPOCH, null).data().isEmpty()).isTrue();
    assertThatThrownBy(() -> new Event(null, "s", "c", "n", null, Instant.EPOCH, -1L))
        .hasMessage("seq must not be negative, was -1");
    assertThatThrownBy(() -> new Event(null, "", "c", "n", null, Instant.EPOCH, null))
        .hasMessage("session_id must be 1-128 characters, was 0");
    assertThatThrownBy(() -> new Event(null, null, "c", "n", null, Instant.EPOCH, null))
        .isInstanceOf(NullPointerException.class).hasMessage("session_id");
  }

  @Test
  void truncatesUtf8WithoutSplittingACharacter() {
    byte[] text = "aé€\uD83D\uDC41".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 + 4 bytes
    assertThat(EventCodec.truncateUtf8(text, 10)).isEqualTo("aé€\uD83D\uDC41");
    assertThat(EventCodec.truncateUtf8(text, 9)).isEqualTo("aé€");
    assertThat(EventCodec.truncateUtf8(text, 6)).isEqualTo("aé€");
    assertThat(EventCodec.truncateUtf8(text, 5)).isEqualTo("aé");
    assertThat(EventCodec.truncateUtf8(text, 2)).isEqualTo("a");
    assertThat(EventCodec.truncateUtf8("aé€\uD83D\uDC41", 7)).isEqualTo("aé€");
    assertThat(EventCodec.utf8Length("aé€\uD83D\uDC41")).isEqualTo(10);
  }

  // ------------------------------------------------------------------ helpers

  private ParsedEvent parseOne(String event) throws MalformedBodyException {
    return codec.parse(bytes(event)).events().get(0);
  }

  private ParsedEvent.Rejected rejectedInArray(String event) throws MalformedBodyException {
    ParsedEvent e = codec.parse(bytes("[" + event + "]")).events().get(0);
    assertThat(e).isInstanceOf(ParsedEvent.Rejected.class);
    return (ParsedEvent.Rejected) e;
  }

  private static String json(Map<String, Object> event) throws Exception {
    return JSON_MAPPER.writeValueAsString(event);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
