package io.theeye.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.theeye.client.DropReason;
import io.theeye.model.Timestamps;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The relay over real HTTP, in a real servlet container, into a real collector's SQLite file. */
@Timeout(60)
class RelayTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  static String session() {
    return UUID.randomUUID().toString();
  }

  static String batch(String session, int events) {
    String tab = UUID.randomUUID().toString().substring(0, 8);
    StringBuilder sb = new StringBuilder("{\"sent_at\":\"" + Instant.now() + "\",\"events\":[");
    for (int i = 0; i < events; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"session_id\":\"").append(session)
          .append("\",\"category\":\"page interaction\",\"name\":\"pageview\",\"data\":{\"host\":\"www.ca.com\","
              + "\"path\":\"/p").append(i).append("\"},\"timestamp\":\"").append(Instant.now())
          .append("\",\"seq\":").append(i).append(",\"id\":\"").append(tab).append("-").append(i).append("\"}");
    }
    return sb.append("]}").toString();
  }

  @Test
  void sameOriginBatchIsStoredUnderTheClientsAppWithServerContext() throws Exception {
    try (WebRig rig = WebRig.start(dir)) {
      String session = session();
      String body = "{\"app_id\":\"someone-else\",\"sent_at\":\"" + Instant.now() + "\",\"events\":[{"
          + "\"app_id\":\"someone-else\",\"session_id\":\"" + session + "\",\"category\":\"page interaction\","
          + "\"name\":\"cta click\",\"data\":{\"host\":\"www.ca.com\",\"path\":\"/\",\"element\":\"chat bubble\","
          + "\"context\":{\"user_agent\":\"forged\"}},\"timestamp\":\"" + Instant.now() + "\",\"seq\":0,"
          + "\"id\":\"abc-0\"}]}";

      HttpResponse<String> answer = rig.collect(body, null);

      assertThat(answer.statusCode()).isEqualTo(204);
      rig.client.flush().get(10, TimeUnit.SECONDS);
      List<Map<String, Object>> events = rig.events();
      assertThat(events).hasSize(1);
      Map<String, Object> row = events.get(0);
      assertThat(row.get("app_id")).isEqualTo(WebRig.APP);
      assertThat(row.get("session_id")).isEqualTo(session);
      assertThat(row.get("name")).isEqualTo("cta click");
      assertThat((String) row.get("event_id")).isEqualTo(BrowserBatch.eventId(session, "abc-0"));
      JsonNode data = JSON.readTree((String) row.get("data"));
      assertThat(data.get("element").asText()).isEqualTo("chat bubble");
      assertThat(data.at("/context/user_agent").asText()).isEqualTo("RigBrowser/1.0");
      assertThat(data.at("/context/referrer").asText()).isEqualTo(rig.origin() + "/checkout");
      assertThat(data.at("/context").has("client_address")).isFalse();
      assertThat(rig.rejectedCount()).isZero();
      assertThat(rig.web.counters().requestsAccepted()).isEqualTo(1);
    }
  }

  @Test
  void crossOriginPostIsForbiddenAndStoresNothing() throws Exception {
    try (WebRig rig = WebRig.start(dir)) {
      String body = batch(session(), 1);
      HttpResponse<String> foreign = rig.send(HttpRequest.newBuilder(rig.uri("/eye/collect"))
          .header("Content-Type", "application/json").header("Origin", "https://evil.example")
          .header("Sec-Fetch-Site", "cross-site").POST(HttpRequest.BodyPublishers.ofString(body)).build());
      HttpResponse<String> noOrigin = rig.send(HttpRequest.newBuilder(rig.uri("/eye/collect"))
          .header("Content-Type", "application/json").header("Sec-Fetch-Site", "same-site")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build());
      String otherPort = rig.origin().replaceAll(":\\d+$", ":1");
      HttpResponse<String> sameHostOtherPort = rig.send(HttpRequest.newBuilder(rig.uri("/eye/collect"))
          .header("Content-Type", "application/json").header("Origin", otherPort)
          .POST(HttpRequest.BodyPublishers.ofString(body)).build());
      HttpResponse<String> bare = rig.send(HttpRequest.newBuilder(rig.uri("/eye/collect"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());

      assertThat(foreign.statusCode()).isEqualTo(403);
      assertThat(foreign.body()).contains("\"error\":\"forbidden_origin\"");
      assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
      assertThat(noOrigin.statusCode()).isEqualTo(403);
      assertThat(sameHostOtherPort.statusCode()).isEqualTo(403);
      assertThat(bare.statusCode()).isEqualTo(403);
      // Behind a proxy that ends TLS the page is https while the container sees http: still this origin.
      HttpResponse<String> behindTls = rig.send(HttpRequest.newBuilder(rig.uri("/eye/collect"))
          .header("Content-Type", "application/json").header("Origin", rig.origin().replace("http:", "https:"))
          .POST(HttpRequest.BodyPublishers.ofString(batch(session(), 1))).build());
      assertThat(behindTls.statusCode()).isEqualTo(204);
      // The same body from the page itself is stored: what refused the others was their origin.
      assertThat(rig.collect(body, null).statusCode()).isEqualTo(204);
      rig.client.flush().get(10, TimeUnit.SECONDS);
      assertThat(rig.events()).hasSize(2);
      assertThat(rig.web.counters().forbidden()).isEqualTo(4);
    }
  }

  @Test
  void allowedSiblingOriginGetsCorsAnswersAndIsStored() throws Exception {
    try (WebRig rig = WebRig.start(dir, b -> b.allowedOrigins(List.of("https://www.example.com")))) {
      HttpResponse<String> preflight = rig.send(HttpRequest.newBuilder(rig.uri("/eye/collect"))
          .header("Origin", "https://www.example.com").header("Access-Control-Request-Method", "POST")
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
      HttpResponse<String> post = rig.send(HttpRequest.newBuilder(rig.uri("/eye/collect"))
          .header("Content-Type", "application/json").header("Origin", "https://WWW.example.com:443")
          .POST(HttpRequest.BodyPublishers.ofString(batch(session(), 2))).build());

      assertThat(preflight.statusCode()).isEqualTo(204);
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://www.example.com");
      assertThat(post.statusCode()).isEqualTo(204);
      rig.client.flush().get(10, TimeUnit.SECONDS);
      assertThat(rig.events()).hasSize(2);
    }
  }

  @Test
  void bodyOverTheLimitIsRefused413WhetherDeclaredOrStreamed() throws Exception {
    try (WebRig rig = WebRig.start(dir, b -> b.maxBodyBytes(2048))) {
      String big = batch(session(), 1).replace("/p0", "/" + "x".repeat(2048));
      String fits = batch(session(), 1);
      HttpResponse<String> declared = rig.collect(big, null);
      HttpResponse<String> streamed = rig.send(HttpRequest.newBuilder(rig.uri("/eye/collect"))
          .header("Content-Type", "application/json").header("Origin", rig.origin())
          .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes())))
          .build());

      assertThat(declared.statusCode()).isEqualTo(413);
      assertThat(declared.body()).contains("payload_too_large");
      assertThat(streamed.statusCode()).isEqualTo(413);
      assertThat(rig.collect(fits, null).statusCode()).isEqualTo(204);
      rig.client.flush().get(10, TimeUnit.SECONDS);
      assertThat(rig.events()).hasSize(1);
      assertThat(rig.web.counters().tooLarge()).isEqualTo(2);
    }
  }

  @Test
  void moreEventsThanTheLimitIs400AndStoresNothing() throws Exception {
    try (WebRig rig = WebRig.start(dir, b -> b.maxEventsPerRequest(5).maxBatchEvents(5))) {
      HttpResponse<String> tooMany = rig.collect(batch(session(), 6), null);
      HttpResponse<String> atLimit = rig.collect(batch(session(), 5), null);

      assertThat(tooMany.statusCode()).isEqualTo(400);
      assertThat(tooMany.body()).contains("malformed_body").contains("too many events: 6, at most 5");
      assertThat(atLimit.statusCode()).isEqualTo(204);
      rig.client.flush().get(10, TimeUnit.SECONDS);
      assertThat(rig.events()).hasSize(5);
      assertThat(rig.web.counters().malformed()).isEqualTo(1);
    }
  }

  @Test
  void malformedInputGetsAClear400AndIsCounted() throws Exception {
    try (WebRig rig = WebRig.start(dir)) {
      String s = session();
      Map<String, String> cases = Map.of(
          "not json", "the body is not JSON",
          "[1,2]", "the body must be an object",
          "{\"events\":[]}", "events must be a non-empty array",
          "{\"events\":[{\"session_id\":\"" + s + "\",\"name\":\"pageview\"}]}", "events[0].category is missing",
          "{\"events\":[{\"session_id\":\"" + s + "\",\"category\":\"c\",\"name\":\"n\",\"data\":[1]}]}",
          "events[0].data must be an object",
          "{\"events\":[{\"session_id\":\"" + s + "\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"yesterday\"}]}",
          "events[0].timestamp is not a timestamp",
          "{\"events\":[{\"category\":\"c\",\"name\":\"n\"}]}", "no session cookie",
          "{\"events\":[{\"session_id\":\"bad id!\",\"category\":\"c\",\"name\":\"n\"}]}", "session_id must be");
      for (Map.Entry<String, String> c : cases.entrySet()) {
        HttpResponse<String> answer = rig.collect(c.getKey(), null);
        assertThat(answer.statusCode()).as(c.getKey()).isEqualTo(400);
        assertThat(JSON.readTree(answer.body()).get("message").asText()).as(c.getKey()).contains(c.getValue());
      }
      HttpResponse<String> wrongType = rig.send(HttpRequest.newBuilder(rig.uri("/eye/collect"))
          .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", rig.origin())
          .POST(HttpRequest.BodyPublishers.ofString("a=b")).build());
      assertThat(wrongType.statusCode()).isEqualTo(415);
      assertThat(rig.web.counters().malformed()).isEqualTo(cases.size() + 1);
      rig.client.flush().get(10, TimeUnit.SECONDS);
      assertThat(rig.events()).isEmpty();
    }
  }

  @Test
  void eventWithoutSessionIdTakesTheSessionCookie() throws Exception {
    try (WebRig rig = WebRig.start(dir)) {
      String cookie = session();
      String body = "{\"events\":[{\"category\":\"page interaction\",\"name\":\"pageview\","
          + "\"data\":{\"host\":\"h\",\"path\":\"/\"}}]}";
      assertThat(rig.collect(body, cookie).statusCode()).isEqualTo(204);
      rig.client.flush().get(10, TimeUnit.SECONDS);
      assertThat(rig.events()).extracting(r -> r.get("session_id")).containsExactly(cookie);
    }
  }

  @Test
  void floodFromOneSessionIs429WithRetryAfterWhileAnotherSessionIsServed() throws Exception {
    try (WebRig rig = WebRig.start(dir, b -> b.sessionRateLimit(5, Duration.ofMinutes(1)))) {
      String flooder = session();
      for (int i = 0; i < 5; i++) {
        assertThat(rig.collect(batch(flooder, 1), flooder).statusCode()).isEqualTo(204);
      }
      HttpResponse<String> limited = rig.collect(batch(flooder, 1), flooder);
      String other = session();
      HttpResponse<String> served = rig.collect(batch(other, 1), other);

      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.body()).contains("rate_limited");
      assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()))
          .isBetween(1L, 60L);
      assertThat(served.statusCode()).isEqualTo(204);
      rig.client.flush().get(10, TimeUnit.SECONDS);
      assertThat(rig.events()).hasSize(6);
      assertThat(rig.web.counters().rateLimited()).isEqualTo(1);
    }
  }

  @Test
  void floodFromOneAddressAcrossSessionsIs429() throws Exception {
    try (WebRig rig = WebRig.start(dir, b -> b.addressRateLimit(3, Duration.ofHours(1)))) {
      for (int i = 0; i < 3; i++) {
        assertThat(rig.collect(batch(session(), 1), null).statusCode()).isEqualTo(204);
      }
      HttpResponse<String> limited = rig.collect(batch(session(), 1), null);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()))
          .isBetween(1L, 3600L);
    }
  }

  @Test
  void browserClockIsCorrectedBySentAtWithinTheBound() throws Exception {
    try (WebRig rig = WebRig.start(dir, b -> b.maxClockCorrection(Duration.ofHours(2)))) {
      Instant now = Instant.now();
      // A browser whose clock is an hour behind: it says it sent at now-1h an event of now-1h-10s.
      Instant browserNow = now.minus(Duration.ofHours(1));
      String behind = oneEvent(session(), browserNow.minusSeconds(10), browserNow);
      // One three hours ahead: beyond the bound, so its events take their arrival time.
      Instant farAhead = now.plus(Duration.ofHours(3));
      String ahead = oneEvent(session(), farAhead.minusSeconds(10), farAhead);
      // One that claims no send time and an event in the future: it cannot be after its arrival.
      String future = "{\"events\":[{\"session_id\":\"" + session() + "\",\"category\":\"c\",\"name\":\"future\","
          + "\"timestamp\":\"" + now.plus(Duration.ofDays(1)) + "\"}]}";
      assertThat(rig.collect(behind.replace("\"name\":\"n\"", "\"name\":\"behind\""), null).statusCode()).isEqualTo(204);
      assertThat(rig.collect(ahead.replace("\"name\":\"n\"", "\"name\":\"ahead\""), null).statusCode()).isEqualTo(204);
      assertThat(rig.collect(future, null).statusCode()).isEqualTo(204);
      rig.client.flush().get(10, TimeUnit.SECONDS);
      Instant after = Instant.now();

      Map<String, Instant> occurred = new java.util.HashMap<>();
      for (Map<String, Object> row : rig.events()) {
        occurred.put((String) row.get("name"), Timestamps.parse((String) row.get("occurred_at")));
      }
      assertThat(occurred.get("behind")).isBetween(now.minusSeconds(11), after.minusSeconds(9));
      assertThat(occurred.get("ahead")).isBetween(now.minusSeconds(1), after);
      assertThat(occurred.get("future")).isBetween(now.minusSeconds(1), after);
      assertThat(rig.rejectedCount()).isZero();
    }
  }

  private static String oneEvent(String session, Instant timestamp, Instant sentAt) {
    return "{\"sent_at\":\"" + sentAt + "\",\"events\":[{\"session_id\":\"" + session
        + "\",\"category\":\"c\",\"name\":\"n\",\"timestamp\":\"" + timestamp + "\"}]}";
  }

  @Test
  void aBatchSentTwiceIsStoredOnce() throws Exception {
    try (WebRig rig = WebRig.start(dir)) {
      String body = batch(session(), 3);
      assertThat(rig.collect(body, null).statusCode()).isEqualTo(204);
      assertThat(rig.collect(body, null).statusCode()).isEqualTo(204);
      rig.client.flush().get(10, TimeUnit.SECONDS);
      assertThat(rig.events()).hasSize(3);
    }
  }

  @Test
  void clientAddressIsAddedTruncatedOnlyWhenAsked() throws Exception {
    try (WebRig rig = WebRig.start(dir, b -> b.captureClientAddress(true))) {
      assertThat(rig.collect(batch(session(), 1), null).statusCode()).isEqualTo(204);
      rig.client.flush().get(10, TimeUnit.SECONDS);
      JsonNode data = JSON.readTree((String) rig.events().get(0).get("data"));
      assertThat(data.at("/context/client_address").asText()).isEqualTo("127.0.0.0");
    }
  }

  @Test
  void servedScriptIsCachedByContentAndHoldsNoKeyOrSecret() throws Exception {
    try (WebRig rig = WebRig.start(dir)) {
      HttpResponse<String> hashed = rig.send(HttpRequest.newBuilder(rig.uri(rig.web.scriptPath())).build());
      HttpResponse<String> plain = rig.send(HttpRequest.newBuilder(rig.uri("/eye/eye.js")).build());
      String etag = hashed.headers().firstValue("ETag").orElseThrow();
      HttpResponse<String> revalidated = rig.send(HttpRequest.newBuilder(rig.uri("/eye/eye.js"))
          .header("If-None-Match", etag).build());
      HttpResponse<String> stale = rig.send(HttpRequest.newBuilder(rig.uri("/eye/eye.0123456789ab.js")).build());

      assertThat(rig.web.scriptTag()).isEqualTo("<script src=\"" + rig.web.scriptPath() + "\" defer></script>");
      assertThat(rig.web.scriptPath()).matches("/eye/eye\\.[0-9a-f]{12}\\.js");
      assertThat(hashed.statusCode()).isEqualTo(200);
      assertThat(hashed.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
      assertThat(hashed.headers().firstValue("Cache-Control")).hasValue(RelayServlet.IMMUTABLE);
      assertThat(plain.headers().firstValue("Cache-Control")).hasValue(RelayServlet.REVALIDATE);
      assertThat(plain.body()).isEqualTo(hashed.body()).isEqualTo(rig.web.script());
      assertThat(etag).contains(rig.web.scriptPath().replaceAll(".*eye\\.|\\.js", ""));
      assertThat(revalidated.statusCode()).isEqualTo(304);
      assertThat(stale.statusCode()).isEqualTo(404);
      for (String script : List.of(hashed.body(), plain.body())) {
        assertThat(script).doesNotContain(WebRig.KEY_ID).doesNotContain(WebRig.SECRET)
            .doesNotContain(Snippet.CONFIG_PLACEHOLDER).contains("\"cookie\":\"eye_sid\"");
      }
    }
  }

  @Test
  void collectorDownLeavesPagesAndCollectAnswersUnaffected() throws Exception {
    try (WebRig rig = WebRig.withCollectorDown(dir, b -> b.maxQueueEvents(5))) {
      String page = rig.page("/home", "<h1>home</h1>");
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> answer = rig.collect(batch(session(), 4), null);
        assertThat(answer.statusCode()).isEqualTo(204);
      }
      HttpResponse<String> html = rig.send(HttpRequest.newBuilder(java.net.URI.create(page))
          .header("Accept", "text/html").build());

      assertThat(html.statusCode()).isEqualTo(200);
      assertThat(html.body()).contains(rig.web.scriptTag());
      // 12 browser events and a page view into a buffer of 5: the rest are the client's counted drops.
      EyeWebCounters counters = rig.web.counters();
      assertThat(counters.requestsAccepted()).isEqualTo(3);
      assertThat(counters.eventsAccepted()).isEqualTo(12);
      assertThat(counters.eventsDropped()).isGreaterThanOrEqualTo(7);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(rig.client.counters().dropped(DropReason.QUEUE_FULL)).isGreaterThanOrEqualTo(8));
    }
  }
}
