package io.theeye.collector;

import static io.theeye.collector.TestSender.batch;
import static io.theeye.collector.TestSender.event;
import static io.theeye.collector.TestSender.pageview;
import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.TestSender.Answer;
import io.theeye.model.EyeProtocol;
import io.theeye.model.Signatures;
import io.theeye.model.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PROTOCOL.md §3, one test per row of its tables, against a real collector and a real database. */
@Timeout(60)
class IngestionTest extends CollectorTestSupport {

  private static final String TS = "2021-01-01 09:15:27.243860";

  private static String session() {
    return "s-" + UUID.randomUUID();
  }

  private static void assertCounts(Answer a, int received, int accepted, int rejected, int duplicates) {
    assertThat(a.status()).as(a.toString()).isEqualTo(202);
    assertThat(a.json().path("received").asInt()).as("received").isEqualTo(received);
    assertThat(a.json().path("accepted").asInt()).as("accepted").isEqualTo(accepted);
    assertThat(a.json().path("rejected").asInt()).as("rejected").isEqualTo(rejected);
    assertThat(a.json().path("duplicates").asInt()).as("duplicates").isEqualTo(duplicates);
  }

  /**
   * Whether the backend stores U+0000 inside an event's text and JSON as is: SQLite does; PostgreSQL's
   * {@code text} and {@code jsonb} cannot, so there the event is rejected.
   */
  protected boolean storesNulCharacters() {
    return true;
  }

  private Map<String, Object> onlyRejected() throws Exception {
    List<Map<String, Object>> rejected = rows("SELECT * FROM rejected_events");
    assertThat(rejected).hasSize(1);
    return rejected.get(0);
  }

  // ------------------------------------------------------------------ 202

  @Test
  void countsAddUpEvenForAnEventTheDatabaseCannotHoldAsIs() throws Exception {
    Collector c = start();
    String s = session();
    // U+0000 is valid JSON; SQLite stores it, PostgreSQL's text and jsonb cannot and reject the event.
    String nul = event("nul-1", s, "page interaction", "pageview", TS, 0L,
        "{\"host\":\"www.ca.com\",\"path\":\"/a\\u0000b\"}");
    Answer a = new TestSender(c).post(KEY, SECRET, batch(pageview("ok-1", s, TS), nul));
    assertThat(a.status()).as(a.toString()).isEqualTo(202);
    int accepted = a.json().path("accepted").asInt();
    int rejected = a.json().path("rejected").asInt();
    assertThat(a.json().path("received").asInt()).isEqualTo(2);
    assertThat(accepted + rejected + a.json().path("duplicates").asInt()).isEqualTo(2);
    assertThat(count("SELECT count(*) FROM events WHERE session_id = ?", s)).isEqualTo(accepted);
    assertThat(count("SELECT count(*) FROM rejected_events")).isEqualTo(rejected);
    // The sum alone cannot fail (rejected is what is left over); the split is what this backend does.
    int expectedAccepted = storesNulCharacters() ? 2 : 1;
    assertCounts(a, 2, expectedAccepted, 2 - expectedAccepted, 0);
  }

  @Test
  void signedWellFormedRequestIsCommittedBeforeTheDurable202() throws Exception {
    Collector c = start();
    String s = session();
    Answer a = new TestSender(c).post(KEY, SECRET, batch(pageview("e-1", s, TS), pageview("e-2", s, TS)));
    assertCounts(a, 2, 2, 0, 0);
    // No waiting: in durable mode the rows are there the moment the 202 is.
    List<Map<String, Object>> events = rows("SELECT * FROM events WHERE session_id = ? ORDER BY occurred_at, seq, id", s);
    assertThat(events).extracting(r -> r.get("event_id")).containsExactly("e-1", "e-2");
    assertThat(events.get(0)).containsEntry("app_id", APP).containsEntry("occurred_at", TS)
        .containsEntry("category", "page interaction").containsEntry("name", "pageview");
    assertThat(count("SELECT event_count FROM sessions WHERE session_id = ?", s)).isEqualTo(2);
    assertThat(rows("SELECT app_id FROM applications")).extracting(r -> r.get("app_id")).containsExactly(APP);
  }

  @Test
  void allThreeBodyShapesAreAccepted() throws Exception {
    Collector c = start();
    TestSender sender = new TestSender(c);
    String s = session();
    assertCounts(sender.post(KEY, SECRET, "{\"sent_at\":\"" + TS + "\",\"events\":[" + pageview("a", s, TS) + "]}"), 1, 1, 0, 0);
    assertCounts(sender.post(KEY, SECRET, "[" + pageview("b", s, TS) + "]"), 1, 1, 0, 0);
    assertCounts(sender.post(KEY, SECRET, pageview("c", s, TS)), 1, 1, 0, 0);
    assertThat(count("SELECT COUNT(*) FROM events WHERE session_id = ?", s)).isEqualTo(3);
  }

  @Test
  void eventWithoutEventIdGetsAUuidV7() throws Exception {
    Collector c = start();
    String s = session();
    assertCounts(new TestSender(c).post(KEY, SECRET, pageview(null, s, TS)), 1, 1, 0, 0);
    String id = (String) rows("SELECT event_id FROM events WHERE session_id = ?", s).get(0).get("event_id");
    assertThat(UUID.fromString(id).version()).isEqualTo(7);
  }

  @Test
  void charsetParameterAndIdentityEncodingAreAccepted() throws Exception {
    Collector c = start();
    byte[] body = pageview("e-1", session(), TS).getBytes(StandardCharsets.UTF_8);
    Answer a = new TestSender(c).postRaw(body,
        "Content-Type", "Application/JSON; Charset=\"UTF-8\"",
        "Content-Encoding", "identity",
        EyeProtocol.HEADER_KEY_ID, KEY,
        EyeProtocol.HEADER_SIGNATURE, signature(body));
    assertCounts(a, 1, 1, 0, 0);
  }

  // ------------------------------------------------------------------ 400 malformed_body

  @Test
  void bodyThatIsNotJsonIsMalformedAndRecorded() throws Exception {
    Collector c = start();
    Answer a = new TestSender(c).post(KEY, SECRET, "this is not json");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).isEqualTo("malformed_body");
    assertThat(onlyRejected()).containsEntry("reason", "malformed_body").containsEntry("app_id", APP)
        .containsEntry("raw", "this is not json");
  }

  @Test
  void bodyOfNoAcceptedShapeIsMalformed() throws Exception {
    Collector c = start();
    Answer a = new TestSender(c).post(KEY, SECRET, "42");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).isEqualTo("malformed_body");
    assertThat(onlyRejected()).containsEntry("reason", "malformed_body").containsEntry("raw", "42");
  }

  @Test
  void emptyBodyIsMalformed() throws Exception {
    Collector c = start();
    Answer a = new TestSender(c).post(KEY, SECRET, "");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).isEqualTo("malformed_body");
    assertThat(onlyRejected()).containsEntry("reason", "malformed_body");
  }

  @Test
  void moreEventsThanTheLimitIsMalformed() throws Exception {
    Collector c = start(b -> b.maxEventsPerRequest(3));
    String s = session();
    TestSender sender = new TestSender(c);
    assertCounts(sender.post(KEY, SECRET, batch(pageview("a", s, TS), pageview("b", s, TS), pageview("c", s, TS))), 3, 3, 0, 0);
    Answer a = sender.post(KEY, SECRET,
        batch(pageview("d", s, TS), pageview("e", s, TS), pageview("f", s, TS), pageview("g", s, TS)));
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.json().path("message").asText()).contains("more than 3 events");
    assertThat(onlyRejected()).containsEntry("reason", "malformed_body");
    assertThat(count("SELECT COUNT(*) FROM events")).isEqualTo(3);
  }

  @Test
  void malformedBodyIsRecordedTruncatedTo64KiB() throws Exception {
    Collector c = start();
    String body = "[" + "x".repeat(100_000);
    Answer a = new TestSender(c).post(KEY, SECRET, body);
    assertThat(a.status()).isEqualTo(400);
    String raw = (String) onlyRejected().get("raw");
    assertThat(raw).hasSize(EyeProtocol.MAX_RAW_BYTES).isEqualTo(body.substring(0, EyeProtocol.MAX_RAW_BYTES));
  }

  // ------------------------------------------------------------------ 401 unauthorized

  @Test
  void everyAuthenticationFailureGetsTheSameBodyAndStoresNothing() throws Exception {
    Collector c = start();
    TestSender sender = new TestSender(c);
    byte[] body = pageview("e-1", session(), TS).getBytes(StandardCharsets.UTF_8);
    long now = Instant.now().getEpochSecond();
    String good = signature(body);
    List<Answer> answers = List.of(
        // missing key id
        sender.postRaw(body, "Content-Type", "application/json", EyeProtocol.HEADER_SIGNATURE, good),
        // unknown key id
        sender.postRaw(body, "Content-Type", "application/json", EyeProtocol.HEADER_KEY_ID, "nobody",
            EyeProtocol.HEADER_SIGNATURE, good),
        // missing signature
        sender.postRaw(body, "Content-Type", "application/json", EyeProtocol.HEADER_KEY_ID, KEY),
        // malformed signature header
        sender.postRaw(body, "Content-Type", "application/json", EyeProtocol.HEADER_KEY_ID, KEY,
            EyeProtocol.HEADER_SIGNATURE, "v1=abc"),
        // bad signature (wrong secret)
        sender.post(KEY, "not-the-secret", body, false),
        // t outside the window, by more than a slow second could close
        sender.postRaw(body, "Content-Type", "application/json", EyeProtocol.HEADER_KEY_ID, KEY,
            EyeProtocol.HEADER_SIGNATURE, Signatures.header(SECRET.getBytes(StandardCharsets.UTF_8), now - 400, body)),
        sender.postRaw(body, "Content-Type", "application/json", EyeProtocol.HEADER_KEY_ID, KEY,
            EyeProtocol.HEADER_SIGNATURE, Signatures.header(SECRET.getBytes(StandardCharsets.UTF_8), now + 400, body)));
    assertThat(answers).allSatisfy(a -> assertThat(a.status()).isEqualTo(401));
    assertThat(answers).extracting(Answer::body).containsOnly(answers.get(0).body());
    assertThat(answers.get(0).error()).isEqualTo("unauthorized");
    assertThat(storedRows()).isZero();
    String metrics = sender.get("/metrics").body();
    for (String cause : List.of("missing_key_id", "unknown_key_id", "missing_signature", "malformed_signature",
        "bad_signature")) {
      assertThat(metrics).contains("eye_auth_failures_total{cause=\"" + cause + "\"} 1.0");
    }
    assertThat(metrics).contains("eye_auth_failures_total{cause=\"outside_window\"} 2.0");
  }

  @Test
  void signatureWindowIsConfigurable() throws Exception {
    Collector c = start(b -> b.signatureWindow(Duration.ofSeconds(30)));
    TestSender sender = new TestSender(c);
    byte[] body = pageview("e-1", session(), TS).getBytes(StandardCharsets.UTF_8);
    long now = Instant.now().getEpochSecond();
    Answer late = sender.postRaw(body, "Content-Type", "application/json", EyeProtocol.HEADER_KEY_ID, KEY,
        EyeProtocol.HEADER_SIGNATURE, Signatures.header(SECRET.getBytes(StandardCharsets.UTF_8), now - 60, body));
    assertThat(late.status()).isEqualTo(401);
    Answer inside = sender.postRaw(body, "Content-Type", "application/json", EyeProtocol.HEADER_KEY_ID, KEY,
        EyeProtocol.HEADER_SIGNATURE, Signatures.header(SECRET.getBytes(StandardCharsets.UTF_8), now - 10, body));
    assertCounts(inside, 1, 1, 0, 0);
  }

  @Test
  void bothKeysOfARotatedApplicationWork() throws Exception {
    Collector c = start(b -> b.app(APP, "shop-key-2", "second-secret-abcdefabcdef"));
    TestSender sender = new TestSender(c);
    String s = session();
    assertCounts(sender.post(KEY, SECRET, pageview("old", s, TS)), 1, 1, 0, 0);
    assertCounts(sender.post("shop-key-2", "second-secret-abcdefabcdef", pageview("new", s, TS)), 1, 1, 0, 0);
    // A key's secret does not work under the other key's id.
    assertThat(sender.post("shop-key-2", SECRET, pageview("x", s, TS)).status()).isEqualTo(401);
    assertThat(rows("SELECT app_id, event_id FROM events WHERE session_id = ? ORDER BY id", s))
        .extracting(r -> r.get("app_id") + "/" + r.get("event_id")).containsExactly(APP + "/old", APP + "/new");
  }

  // ------------------------------------------------------------------ 413 payload_too_large

  @Test
  void bodyOverTheWireLimitIsTooLargeAndStoresNothing() throws Exception {
    Collector c = start(b -> b.maxBodyBytes(10_000));
    String s = session();
    StringBuilder events = new StringBuilder();
    for (int i = 0; events.length() < 12_000; i++) {
      events.append(i == 0 ? "" : ",").append(pageview("e-" + i, s, TS));
    }
    Answer a = new TestSender(c).post(KEY, SECRET, "[" + events + "]");
    assertThat(a.status()).isEqualTo(413);
    assertThat(a.error()).isEqualTo("payload_too_large");
    assertThat(storedRows()).isZero();
  }

  @Test
  void gzipBodyIsDecompressedAfterTheSignatureOverTheCompressedBytes() throws Exception {
    Collector c = start();
    String s = session();
    byte[] gz = TestSender.gzip(batch(pageview("g-1", s, TS), pageview("g-2", s, TS)).getBytes(StandardCharsets.UTF_8));
    assertCounts(new TestSender(c).post(KEY, SECRET, gz, true), 2, 2, 0, 0);
    assertThat(count("SELECT COUNT(*) FROM events WHERE session_id = ?", s)).isEqualTo(2);
  }

  @Test
  void gzipBombStopsAtTheDecodedLimit() throws Exception {
    Collector c = start(b -> b.maxDecodedBytes(1 << 20));
    // 64 MiB of spaces inside a JSON array: about 64 KiB on the wire.
    byte[] bomb = TestSender.gzip(("[" + " ".repeat(64 << 20) + "]").getBytes(StandardCharsets.UTF_8));
    assertThat(bomb.length).isLessThan(1 << 20);
    Answer a = new TestSender(c).post(KEY, SECRET, bomb, true);
    assertThat(a.status()).isEqualTo(413);
    assertThat(a.error()).isEqualTo("payload_too_large");
    assertThat(storedRows()).isZero();
  }

  @Test
  void corruptGzipIsAMalformedBody() throws Exception {
    Collector c = start();
    byte[] notGzip = "definitely not gzip".getBytes(StandardCharsets.UTF_8);
    Answer a = new TestSender(c).post(KEY, SECRET, notGzip, true);
    assertThat(a.status()).isEqualTo(400);
    assertThat(onlyRejected()).containsEntry("reason", "malformed_body");
  }

  // ------------------------------------------------------------------ 415 unsupported_media_type

  @Test
  void wrongContentTypeIsUnsupported() throws Exception {
    Collector c = start();
    byte[] body = pageview("e-1", session(), TS).getBytes(StandardCharsets.UTF_8);
    TestSender sender = new TestSender(c);
    for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1",
        "application/jsonx")) {
      Answer a = sender.postRaw(body, "Content-Type", type, EyeProtocol.HEADER_KEY_ID, KEY,
          EyeProtocol.HEADER_SIGNATURE, signature(body));
      assertThat(a.status()).as(type).isEqualTo(415);
      assertThat(a.error()).isEqualTo("unsupported_media_type");
    }
    Answer none = sender.postRaw(body, EyeProtocol.HEADER_KEY_ID, KEY, EyeProtocol.HEADER_SIGNATURE, signature(body));
    assertThat(none.status()).isEqualTo(415);
    assertThat(storedRows()).isZero();
  }

  @Test
  void encodingOtherThanGzipIsUnsupported() throws Exception {
    Collector c = start();
    byte[] body = pageview("e-1", session(), TS).getBytes(StandardCharsets.UTF_8);
    for (String encoding : List.of("br", "deflate", "gzip, gzip", "compress")) {
      Answer a = new TestSender(c).postRaw(body, "Content-Type", "application/json", "Content-Encoding", encoding,
          EyeProtocol.HEADER_KEY_ID, KEY, EyeProtocol.HEADER_SIGNATURE, signature(body));
      assertThat(a.status()).as(encoding).isEqualTo(415);
      assertThat(a.error()).isEqualTo("unsupported_media_type");
    }
    assertThat(storedRows()).isZero();
  }

  // ------------------------------------------------------------------ the order of checks

  @Test
  void wrongContentTypeWinsOverABadSignature() throws Exception {
    Collector c = start();
    Answer a = new TestSender(c).postRaw(utf8("{}"), "Content-Type", "text/plain",
        EyeProtocol.HEADER_KEY_ID, KEY, EyeProtocol.HEADER_SIGNATURE, "t=1,v1=00");
    assertThat(a.status()).isEqualTo(415);
  }

  @Test
  void oversizeBodyWinsOverABadSignature() throws Exception {
    Collector c = start(b -> b.maxBodyBytes(1000));
    Answer a = new TestSender(c).post(KEY, "wrong-secret", "[" + " ".repeat(2000) + "]");
    assertThat(a.status()).isEqualTo(413);
    assertThat(storedRows()).isZero();
  }

  @Test
  void badSignatureWinsOverAGzipBomb() throws Exception {
    Collector c = start(b -> b.maxDecodedBytes(1 << 20));
    byte[] bomb = TestSender.gzip(("[" + " ".repeat(8 << 20) + "]").getBytes(StandardCharsets.UTF_8));
    Answer a = new TestSender(c).post(KEY, "wrong-secret", bomb, true);
    assertThat(a.status()).isEqualTo(401);
  }

  @Test
  void badSignatureWinsOverAMalformedBodyAndNothingIsRecorded() throws Exception {
    Collector c = start();
    Answer a = new TestSender(c).post(KEY, "wrong-secret", "not json at all");
    assertThat(a.status()).isEqualTo(401);
    assertThat(storedRows()).isZero();
  }

  // ------------------------------------------------------------------ event-level reasons (still 202)

  @Test
  void eventMissingARequiredFieldIsMalformedEvent() throws Exception {
    Collector c = start();
    String noSession = "{\"category\":\"page interaction\",\"name\":\"pageview\",\"timestamp\":\"" + TS + "\"}";
    Answer a = new TestSender(c).post(KEY, SECRET, noSession);
    assertCounts(a, 1, 0, 1, 0);
    assertThat(onlyRejected()).containsEntry("reason", "malformed_event").containsEntry("app_id", APP);
    assertThat((String) onlyRejected().get("detail")).contains("session_id");
  }

  @Test
  void unparseableOrImpossibleTimestampIsInvalidTimestamp() throws Exception {
    Collector c = start();
    String s = session();
    Answer a = new TestSender(c).post(KEY, SECRET, batch(pageview("a", s, "2021-02-30 09:15:27"), pageview("b", s, "yesterday")));
    assertCounts(a, 2, 0, 2, 0);
    assertThat(rows("SELECT reason, event_id, session_id FROM rejected_events ORDER BY id"))
        .extracting(r -> r.get("reason") + "/" + r.get("event_id") + "/" + r.get("session_id"))
        .containsExactly("invalid_timestamp/a/" + s, "invalid_timestamp/b/" + s);
  }

  @Test
  void timestampBeyondTheConfiguredSkewIsFutureTimestamp() throws Exception {
    Collector c = start(b -> b.maxFutureSkew(Duration.ofSeconds(60)));
    String s = session();
    Instant now = Instant.now();
    Answer a = new TestSender(c).post(KEY, SECRET, batch(
        pageview("near", s, Timestamps.format(now.plusSeconds(30))),
        pageview("far", s, Timestamps.format(now.plusSeconds(600)))));
    assertCounts(a, 2, 1, 1, 0);
    assertThat(onlyRejected()).containsEntry("reason", "future_timestamp").containsEntry("event_id", "far");
    assertThat(rows("SELECT event_id FROM events")).extracting(r -> r.get("event_id")).containsExactly("near");
  }

  @Test
  void payloadFailingItsSchemaIsSchemaViolationNamingThePointer() throws Exception {
    Collector c = start();
    String s = session();
    String cta = event("c-1", s, "page interaction", "cta click", TS, null, "{\"host\":\"www.ca.com\",\"path\":7}");
    Answer a = new TestSender(c).post(KEY, SECRET, cta);
    assertCounts(a, 1, 0, 1, 0);
    Map<String, Object> row = onlyRejected();
    assertThat(row).containsEntry("reason", "schema_violation").containsEntry("event_id", "c-1")
        .containsEntry("category", "page interaction").containsEntry("name", "cta click");
    assertThat((String) row.get("detail"))
        .contains("/element: required")
        .contains("/path: type");
    assertThat((String) row.get("raw")).contains("\"path\":7");
  }

  @Test
  void unknownTypeIsAcceptedByDefault() throws Exception {
    Collector c = start();
    Answer a = new TestSender(c).post(KEY, SECRET, event("u-1", session(), "video", "play", TS, null, "{\"any\":1}"));
    assertCounts(a, 1, 1, 0, 0);
  }

  @Test
  void unknownTypeIsRejectedWhenConfigured() throws Exception {
    Collector c = start(b -> b.unknownTypes(UnknownTypes.REJECT));
    String s = session();
    Answer a = new TestSender(c).post(KEY, SECRET, batch(
        event("u-1", s, "video", "play", TS, null, "{\"any\":1}"), pageview("p-1", s, TS)));
    assertCounts(a, 2, 1, 1, 0);
    assertThat(onlyRejected()).containsEntry("reason", "unknown_event_type").containsEntry("event_id", "u-1");
  }

  @Test
  void dataOverThePerEventLimitIsPayloadTooLarge() throws Exception {
    Collector c = start(b -> b.maxDataBytes(100));
    String s = session();
    String big = event("big", s, "video", "play", TS, null, "{\"blob\":\"" + "x".repeat(200) + "\"}");
    Answer a = new TestSender(c).post(KEY, SECRET, batch(big, pageview("ok", s, TS)));
    assertCounts(a, 2, 1, 1, 0);
    assertThat(onlyRejected()).containsEntry("reason", "payload_too_large").containsEntry("event_id", "big");
  }

  @Test
  void mixedBatchStoresTheValidEventsAndRejectsTheOthers() throws Exception {
    Collector c = start();
    String s = session();
    Answer a = new TestSender(c).post(KEY, SECRET, batch(
        pageview("v-1", s, TS),
        event("bad-schema", s, "page interaction", "pageview", TS, null, "{\"host\":\"h\"}"),
        "\"not an object\"",
        pageview("v-2", s, "2021-01-01 09:15:28"),
        pageview("bad-ts", s, "2021-13-01 00:00:00")));
    assertCounts(a, 5, 2, 3, 0);
    assertThat(rows("SELECT event_id FROM events WHERE session_id = ? ORDER BY occurred_at, seq, id", s))
        .extracting(r -> r.get("event_id")).containsExactly("v-1", "v-2");
    assertThat(rows("SELECT reason FROM rejected_events ORDER BY id")).extracting(r -> r.get("reason"))
        .containsExactlyInAnyOrder("schema_violation", "malformed_event", "invalid_timestamp");
    assertThat(rows("SELECT * FROM sessions WHERE session_id = ?", s).get(0))
        .containsEntry("first_seen_at", TS).containsEntry("last_seen_at", "2021-01-01 09:15:28.000000");
  }

  // ------------------------------------------------------------------ duplicates

  @Test
  void duplicateInsideOneRequestIsCountedOnce() throws Exception {
    Collector c = start();
    String s = session();
    Answer a = new TestSender(c).post(KEY, SECRET, batch(pageview("d-1", s, TS), pageview("d-1", s, TS), pageview("d-2", s, TS)));
    assertCounts(a, 3, 2, 0, 1);
    assertThat(count("SELECT COUNT(*) FROM events WHERE session_id = ?", s)).isEqualTo(2);
    assertThat(count("SELECT event_count FROM sessions WHERE session_id = ?", s)).isEqualTo(2);
  }

  @Test
  void duplicateAcrossRequestsIsStoredOnce() throws Exception {
    Collector c = start();
    TestSender sender = new TestSender(c);
    String s = session();
    assertCounts(sender.post(KEY, SECRET, batch(pageview("r-1", s, TS), pageview("r-2", s, TS))), 2, 2, 0, 0);
    assertCounts(sender.post(KEY, SECRET, batch(pageview("r-2", s, TS), pageview("r-3", s, TS))), 2, 1, 0, 1);
    assertThat(count("SELECT COUNT(*) FROM events WHERE session_id = ?", s)).isEqualTo(3);
    assertThat(count("SELECT event_count FROM sessions WHERE session_id = ?", s)).isEqualTo(3);
  }

  @Test
  void sameEventIdFromTwoApplicationsIsTwoEvents() throws Exception {
    Collector c = start(b -> b.app("blog", "blog-key", "blog-secret-0123456789"));
    TestSender sender = new TestSender(c);
    String s = session();
    assertCounts(sender.post(KEY, SECRET, pageview("same", s, TS)), 1, 1, 0, 0);
    assertCounts(sender.post("blog-key", "blog-secret-0123456789", pageview("same", s, TS)), 1, 1, 0, 0);
    assertThat(count("SELECT event_count FROM sessions WHERE session_id = ?", s)).isEqualTo(2);
  }

  // ------------------------------------------------------------------ helpers

  private static String signature(byte[] body) {
    return Signatures.header(SECRET.getBytes(StandardCharsets.UTF_8), Instant.now().getEpochSecond(), body);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
