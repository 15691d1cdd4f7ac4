package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.model.EventReader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every character and number is stored as sent, or refused with a reason: nothing is silently
 * replaced, rounded or merged. A real collector, real HTTP, the real SQLite file.
 */
@Timeout(60)
class ExactTextTest extends CollectorTestSupport {

  private static final String TS = "2021-01-01 09:15:27.243860";
  private TestSender sender;

  @BeforeEach
  void startCollector() throws Exception {
    sender = new TestSender(start());
  }

  private static String withId(String idJson) {
    return "{\"event_id\":" + idJson + ",\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\""
        + TS + "\"}";
  }

  @Test
  void loneSurrogatesNeverMergeDistinctIds() throws Exception {
    // Written as UTF-8 by a lenient encoder, both lone surrogates would become '?', i.e. "dup?".
    TestSender.Answer a = sender.post(KEY, SECRET,
        TestSender.batch(withId("\"dup\\ud800\""), withId("\"dup\\ud801\""), withId("\"dup?\"")));

    assertThat(a.status()).isEqualTo(202);
    assertThat(a.json().path("accepted").asInt()).isEqualTo(1);
    assertThat(a.json().path("rejected").asInt()).isEqualTo(2);
    assertThat(a.json().path("duplicates").asInt()).isZero();
    assertThat(rows("SELECT event_id FROM events")).extracting(r -> r.get("event_id")).containsExactly("dup?");
    assertThat(rows("SELECT reason, detail, raw FROM rejected_events ORDER BY id"))
        .hasSize(2)
        .allSatisfy(r -> {
          assertThat(r.get("reason")).isEqualTo("malformed_event");
          assertThat((String) r.get("detail")).contains("event_id holds a lone surrogate");
        })
        .extracting(r -> (String) r.get("raw"))
        .anySatisfy(raw -> assertThat(raw).contains("dup\\ud800"))
        .anySatisfy(raw -> assertThat(raw).contains("dup\\ud801"));
  }

  @Test
  void aLoneSurrogateInsideDataIsAMalformedEvent() throws Exception {
    TestSender.Answer a = sender.post(KEY, SECRET, TestSender.event("e1", "s", "c", "n", TS, null,
        "{\"list\":[\"ok\",\"bad \\udc00 here\"]}"));

    assertThat(a.json().path("rejected").asInt()).isEqualTo(1);
    assertThat((String) rows("SELECT detail FROM rejected_events").get(0).get("detail"))
        .contains("data/list/1 holds a lone surrogate");
  }

  @Test
  void aSurrogatePairIsOneCharacterStoredAsSent() throws Exception {
    TestSender.Answer a = sender.post(KEY, SECRET, TestSender.event("eye-\\ud83d\\udc41", "s", "c", "n", TS, null,
        "{\"emoji\":\"\\ud83d\\udc41\"}"));

    assertThat(a.json().path("accepted").asInt()).isEqualTo(1);
    assertThat(rows("SELECT event_id, json_extract(data, '$.emoji') AS emoji FROM events").get(0))
        .containsEntry("event_id", "eye-\uD83D\uDC41").containsEntry("emoji", "\uD83D\uDC41");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "c080",       // overlong NUL
      "e080af",     // overlong '/'
      "eda080",     // a surrogate (U+D800) encoded in UTF-8
      "f4908080",   // U+110000, above the last code point
      "ff",         // never valid
      "c3"})        // a sequence cut short
  void invalidUtf8IsAMalformedBody(String hex) throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(withIdPrefix());
    body.writeBytes(HexFormat.of().parseHex(hex));
    body.writeBytes("\",\"session_id\":\"s\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"2021-01-01 09:15:27\"}"
        .getBytes(StandardCharsets.UTF_8));

    TestSender.Answer a = sender.post(KEY, SECRET, body.toByteArray(), false);

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).isEqualTo("malformed_body");
    assertThat(a.json().path("message").asText()).contains("not valid UTF-8 at byte 13");
    assertThat(count("SELECT COUNT(*) FROM events")).isZero();
    assertThat(count("SELECT COUNT(*) FROM rejected_events WHERE reason = 'malformed_body'")).isEqualTo(1);
  }

  private static byte[] withIdPrefix() {
    return "{\"event_id\":\"".getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aNumberBeyondADoubleIsAMalformedEvent() throws Exception {
    TestSender.Answer a = sender.post(KEY, SECRET, TestSender.event("e1", "s", "c", "n", TS, null,
        "{\"price\":1e309}"));

    assertThat(a.json().path("rejected").asInt()).isEqualTo(1);
    assertThat(rows("SELECT reason, detail FROM rejected_events").get(0))
        .containsEntry("reason", "malformed_event")
        .hasEntrySatisfying("detail", d -> assertThat((String) d).contains("data/price is the number 1E+309"));
    assertThat(count("SELECT COUNT(*) FROM events")).isZero();
  }

  @Test
  void decimalsAndBigIntegersAreStoredExactly() throws Exception {
    String data = "{\"d\":0.30000000000000004441,\"z\":1.50,\"big\":123456789012345678901234567890,\"e\":1.5e-7}";
    TestSender.Answer a = sender.post(KEY, SECRET, TestSender.event("e1", "s", "c", "n", TS, null, data));

    assertThat(a.json().path("accepted").asInt()).isEqualTo(1);
    var row = rows("SELECT data, data -> '$.d' AS d_text, data -> '$.big' AS big_text,"
        + " json_extract(data, '$.d') AS d_real, json_extract(data, '$.z') AS z FROM events").get(0);
    // The stored text is the sent text; '->' reads it back exactly, json_extract as SQL REAL.
    assertThat(row.get("data")).isEqualTo("{\"d\":0.30000000000000004441,\"z\":1.50,"
        + "\"big\":123456789012345678901234567890,\"e\":1.5E-7}");
    assertThat(row.get("d_text")).isEqualTo("0.30000000000000004441");
    assertThat(row.get("big_text")).isEqualTo("123456789012345678901234567890");
    assertThat(((Number) row.get("d_real")).doubleValue()).isEqualTo(0.30000000000000004);
    assertThat(((Number) row.get("z")).doubleValue()).isEqualTo(1.5);
  }

  @Test
  void aDuplicateKeyIsAMalformedEventNamingTheKey() throws Exception {
    String event = "{\"session_id\":\"first\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"" + TS
        + "\",\"session_id\":\"second\"}";
    TestSender.Answer a = sender.post(KEY, SECRET, TestSender.batch(event,
        TestSender.event("e2", "s", "c", "n", TS, null, "{\"a\":1,\"nested\":{\"k\":1,\"k\":2}}")));

    assertThat(a.status()).isEqualTo(202);
    assertThat(a.json().path("rejected").asInt()).isEqualTo(2);
    assertThat(rows("SELECT detail, raw FROM rejected_events ORDER BY id"))
        .extracting(r -> (String) r.get("detail"))
        .containsExactly(
            "the event cannot be read: duplicate key \"session_id\" (a key may appear once per object)",
            "the event cannot be read: duplicate key \"k\" (a key may appear once per object)");
    assertThat(count("SELECT COUNT(*) FROM events")).isZero();
  }

  @Test
  void aDuplicateKeyOfTheEnvelopeIsAMalformedBody() throws Exception {
    TestSender.Answer a = sender.post(KEY, SECRET, "{\"events\":[" + withId("\"a\"") + "],\"events\":[]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.json().path("message").asText()).contains("\"events\" twice");
  }

  @Test
  void nulIsRefusedInIdsAndNamesAndKeptInData() throws Exception {
    TestSender.Answer a = sender.post(KEY, SECRET, TestSender.batch(
        TestSender.event("e1", "s\\u0000x", "c", "n", TS, null, null),
        TestSender.event("e2", "s", "c", "n", TS, null, "{\"note\":\"a\\u0000b\"}")));

    assertThat(a.json().path("accepted").asInt()).isEqualTo(1);
    assertThat(a.json().path("rejected").asInt()).isEqualTo(1);
    assertThat((String) rows("SELECT detail FROM rejected_events").get(0).get("detail"))
        .contains("session_id holds U+0000 (NUL)");
    var row = rows("SELECT data, json_extract(data, '$.note') AS note FROM events").get(0);
    assertThat(row.get("data")).isEqualTo("{\"note\":\"a\\u0000b\"}");
    assertThat(row.get("note")).isEqualTo("a\u0000b");
  }

  @Test
  void nestingPastTheLimitIsAMalformedBodyNamingTheLimit() throws Exception {
    int depth = EventReader.maxNestingDepth() + 1;
    String data = "{\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    TestSender.Answer a = sender.post(KEY, SECRET, TestSender.event("e1", "s", "c", "n", TS, null, data));

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.json().path("message").asText())
        .contains("parsing limit").contains("nesting depth").contains(Integer.toString(EventReader.maxNestingDepth()))
        .doesNotContain("StreamReadConstraints").doesNotContain("more than one JSON value");
  }

  @Test
  void aNumberLongerThanTheLimitIsRefusedNamingTheLimit() throws Exception {
    String digits = "1".repeat(EventReader.maxNumberLength() + 1);
    TestSender.Answer a = sender.post(KEY, SECRET, TestSender.event("e1", "s", "c", "n", TS, null,
        "{\"n\":" + digits + "}"));

    String said = a.status() == 400 ? a.json().path("message").asText()
        : (String) rows("SELECT detail FROM rejected_events").get(0).get("detail");
    assertThat(said).contains("parsing limit").contains("Number value length")
        .contains(Integer.toString(EventReader.maxNumberLength())).doesNotContain("StreamReadConstraints");
    assertThat(count("SELECT COUNT(*) FROM events")).isZero();
  }

  @Test
  void theEventLimitIsNamedAndNothingPastItIsRead() throws Exception {
    String[] events = new String[1001];
    for (int i = 0; i < events.length; i++) {
      events[i] = "{}";
    }
    TestSender.Answer a = sender.post(KEY, SECRET, "[" + String.join(",", events) + ", not even json");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.json().path("message").asText())
        .isEqualTo("the request holds more than 1000 events; at most 1000 are allowed (the per-request event limit)");
  }

  @Test
  void anEventTooLargeToReadIsRejectedWithoutReadingIt() throws Exception {
    String data = "{\"a\":[" + "{},".repeat(60_000) + "{}]}";
    TestSender.Answer a = sender.post(KEY, SECRET, TestSender.batch(
        TestSender.event("big", "s", "c", "n", TS, null, data), TestSender.pageview("ok", "s", TS)));

    assertThat(a.status()).isEqualTo(202);
    assertThat(a.json().path("accepted").asInt()).isEqualTo(1);
    assertThat(rows("SELECT reason, detail, length(raw) AS len FROM rejected_events").get(0))
        .containsEntry("reason", "payload_too_large")
        .hasEntrySatisfying("detail", d -> assertThat((String) d).contains("bytes as sent"))
        .hasEntrySatisfying("len", n -> assertThat(((Number) n).intValue()).isEqualTo(64 * 1024));
  }
}
