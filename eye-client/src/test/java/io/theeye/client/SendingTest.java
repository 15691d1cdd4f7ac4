package io.theeye.client;

import static io.theeye.client.TestSupport.SECRET;
import static io.theeye.client.TestSupport.SESSION;
import static io.theeye.client.TestSupport.accepted;
import static io.theeye.client.TestSupport.clientFor;
import static io.theeye.client.TestSupport.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.client.TestSupport.AcceptingDispatcher;
import io.theeye.client.TestSupport.MutableClock;
import io.theeye.model.Event;
import io.theeye.model.EventCodec;
import io.theeye.model.EyeProtocol;
import io.theeye.model.Signatures.SignatureVerifier;
import io.theeye.model.Signatures.SignatureVerifier.Result;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SendingTest extends MockCollectorTest {



  @Test
  void postsSignedJsonThatTheCollectorsVerifierAccepts() throws Exception {
    server.enqueue(accepted(1));
    eye = clientFor(server).build();

    assertThat(eye.track(SESSION, "page interaction", "pageview", Map.of("host", "www.ca.com", "path", "/")))
        .isTrue();
    eye.flush().get(10, TimeUnit.SECONDS);

    RecordedRequest request = take(server);
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getPath()).isEqualTo("/v1/events");
    assertThat(request.getHeader("Content-Type")).startsWith("application/json");
    assertThat(request.getHeader(EyeProtocol.HEADER_KEY_ID)).isEqualTo(TestSupport.KEY_ID);
    assertThat(request.getHeader("Content-Encoding")).isNull();
    byte[] body = request.getBody().clone().readByteArray();
    String signature = request.getHeader(EyeProtocol.HEADER_SIGNATURE);
    SignatureVerifier verifier = new SignatureVerifier(Clock.systemUTC(), Duration.ofSeconds(300));
    assertThat(verifier.verify(signature, SECRET.getBytes(StandardCharsets.UTF_8), body)).isEqualTo(Result.VALID);
    assertThat(verifier.verify(signature, "another secret".getBytes(StandardCharsets.UTF_8), body))
        .isEqualTo(Result.BAD_SIGNATURE);

    List<Event> events = TestSupport.events(body);
    assertThat(events).hasSize(1);
    Event e = events.get(0);
    assertThat(e.sessionId()).isEqualTo(SESSION);
    assertThat(e.category()).isEqualTo("page interaction");
    assertThat(e.name()).isEqualTo("pageview");
    assertThat(EventCodec.toJson(e.data())).isIn("{\"host\":\"www.ca.com\",\"path\":\"/\"}",
        "{\"path\":\"/\",\"host\":\"www.ca.com\"}");
    assertThat(e.eventId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(e.seq()).isZero();
  }

  @Test
  void gzipsBodiesFromTheThresholdAndSignsTheCompressedBytes() throws Exception {
    AcceptingDispatcher collector = new AcceptingDispatcher();
    server.setDispatcher(collector);
    eye = clientFor(server).gzipThreshold(2048).flushInterval(Duration.ofHours(1)).build();

    eye.track(SESSION, "page interaction", "pageview", Map.of("path", "/"));
    eye.flush().get(10, TimeUnit.SECONDS);
    for (int i = 0; i < 50; i++) {
      eye.track(SESSION, "page interaction", "pageview", Map.of("path", "/products/" + i));
    }
    eye.flush().get(10, TimeUnit.SECONDS);

    RecordedRequest small = take(server);
    assertThat(small.getHeader("Content-Encoding")).isNull();
    assertThat(small.getBodySize()).isLessThan(2048);
    RecordedRequest large = take(server);
    assertThat(large.getHeader("Content-Encoding")).isEqualTo("gzip");
    byte[] compressed = large.getBody().clone().readByteArray();
    SignatureVerifier verifier = new SignatureVerifier(Clock.systemUTC(), Duration.ofSeconds(300));
    assertThat(verifier.verify(large.getHeader(EyeProtocol.HEADER_SIGNATURE),
        SECRET.getBytes(StandardCharsets.UTF_8), compressed)).isEqualTo(Result.VALID);
    byte[] plain = TestSupport.body(large);
    assertThat(plain.length).isGreaterThanOrEqualTo(2048).isGreaterThan(compressed.length);
    assertThat(TestSupport.events(plain)).hasSize(50);
  }

  @Test
  void cutsBatchesAtMaxBatchEvents() throws Exception {
    AcceptingDispatcher collector = new AcceptingDispatcher();
    server.setDispatcher(collector);
    eye = clientFor(server).maxBatchEvents(10).flushInterval(Duration.ofHours(1)).build();

    for (int i = 0; i < 25; i++) {
      eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
    }
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(collector.batchSizes).containsExactlyInAnyOrder(10, 10, 5);
    assertThat(collector.received).extracting(Event::seq)
        .containsExactlyInAnyOrderElementsOf(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L,
            13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L, 21L, 22L, 23L, 24L));
  }

  @Test
  void cutsBatchesAtMaxBatchBytesBeforeCompression() throws Exception {
    AcceptingDispatcher collector = new AcceptingDispatcher();
    server.setDispatcher(collector);
    eye = clientFor(server)
        .maxBatchBytes(EyeClient.Builder.MIN_BATCH_BYTES)
        .gzipThreshold(Integer.MAX_VALUE)
        .flushInterval(Duration.ofHours(1))
        .build();
    String text = "x".repeat(20_000);

    for (int i = 0; i < 10; i++) {
      assertThat(eye.track(SESSION, "page interaction", "pageview", Map.of("text", text))).isTrue();
    }
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(collector.received).hasSize(10);
    // Three events of ~20 KB fit in 64 KiB, four do not.
    assertThat(collector.batchSizes).allMatch(n -> n <= 3).contains(3);
    assertThat(collector.wireSizes).allMatch(size -> size <= EyeClient.Builder.MIN_BATCH_BYTES);
  }

  @Test
  void sendsAPartialBatchOnceTheFlushIntervalPasses() throws Exception {
    server.enqueue(accepted(1));
    eye = clientFor(server).flushInterval(Duration.ofMillis(50)).build();

    eye.track(SESSION, "page interaction", "pageview", null);

    assertThat(TestSupport.events(take(server))).hasSize(1);
  }

  @Test
  void flushCompletesOnlyAfterTheCollectorAcknowledges() throws Exception {
    CountDownLatch answer = new CountDownLatch(1);
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        answer.await(20, TimeUnit.SECONDS);
        return accepted(1);
      }
    });
    eye = clientFor(server).flushInterval(Duration.ofHours(1)).build();

    eye.track(SESSION, "page interaction", "pageview", Map.of());
    CompletableFuture<FlushResult> flushed = eye.flush();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.getRequestCount() == 1);
    assertThat(flushed).isNotDone();
    assertThat(eye.counters().acknowledged()).isZero();

    answer.countDown();
    flushed.get(10, TimeUnit.SECONDS);
    assertThat(eye.counters().acknowledged()).isEqualTo(1);
  }

  @Test
  void flushWithNothingTrackedCompletesAtOnce() throws Exception {
    eye = clientFor(server).build();

    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void stampsMicrosecondTimestampsAndAnIncreasingSeq() throws Exception {
    AcceptingDispatcher collector = new AcceptingDispatcher();
    server.setDispatcher(collector);
    MutableClock clock = new MutableClock(Instant.parse("2021-01-01T09:15:27.243860789Z"));
    eye = clientFor(server).clock(clock).build();

    eye.track(SESSION, "page interaction", "pageview", null);
    clock.advance(Duration.ofNanos(-5_000)); // the wall clock steps back
    eye.track(SESSION, "page interaction", "cta click", null);
    clock.advance(Duration.ofSeconds(1));
    eye.track(SESSION, "form interaction", "submit", null);
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(collector.received).extracting(Event::seq).containsExactly(0L, 1L, 2L);
    assertThat(collector.received).extracting(Event::timestamp).containsExactly(
        Instant.parse("2021-01-01T09:15:27.243860Z"),
        Instant.parse("2021-01-01T09:15:27.243860Z"),
        Instant.parse("2021-01-01T09:15:28.243855Z"));
  }

  @Test
  void backfillsKeepTheGivenTimestamp() throws Exception {
    AcceptingDispatcher collector = new AcceptingDispatcher();
    server.setDispatcher(collector);
    eye = clientFor(server).build();
    Instant occurred = Instant.parse("2021-01-01T09:15:27.243860Z");

    eye.track(SESSION, "page interaction", "pageview", Map.of("path", "/"), occurred);
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(collector.received).singleElement().extracting(Event::timestamp).isEqualTo(occurred);
  }

  @Test
  void theEventBuilderCarriesItsOwnIdTimestampAndData() throws Exception {
    AcceptingDispatcher collector = new AcceptingDispatcher();
    server.setDispatcher(collector);
    eye = clientFor(server).build();

    eye.track(EyeEvent.builder()
        .sessionId(SESSION)
        .category("form interaction")
        .name("submit")
        .put("host", "www.ca.com")
        .data(Map.of("form", Map.of("first_name", "John", "last_name", "Doe")))
        .eventId("order-42-submitted")
        .timestamp(Instant.parse("2021-01-01T09:15:27.243860Z"))
        .build());
    eye.flush().get(10, TimeUnit.SECONDS);

    Event e = collector.received.get(0);
    assertThat(e.eventId()).isEqualTo("order-42-submitted");
    assertThat(e.timestamp()).isEqualTo(Instant.parse("2021-01-01T09:15:27.243860Z"));
    assertThat(e.data().path("host").asText()).isEqualTo("www.ca.com");
    assertThat(e.data().path("form").path("last_name").asText()).isEqualTo("Doe");
  }

  @Test
  void mutatingTheDataAfterTrackChangesNothing() throws Exception {
    AcceptingDispatcher collector = new AcceptingDispatcher();
    server.setDispatcher(collector);
    eye = clientFor(server).build();
    Map<String, Object> form = new HashMap<>(Map.of("first_name", "John"));
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("path", "/");
    data.put("form", form);

    eye.track(SESSION, "form interaction", "submit", data);
    data.put("path", "/changed");
    data.put("extra", true);
    form.put("first_name", "Jane");
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(EventCodec.toJson(collector.received.get(0).data()))
        .isEqualTo("{\"path\":\"/\",\"form\":{\"first_name\":\"John\"}}");
  }

  @Test
  void sendsSeveralBatchesAtOnceUpToMaxInFlightBatches() throws Exception {
    CountDownLatch answer = new CountDownLatch(1);
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        answer.await(20, TimeUnit.SECONDS);
        return accepted(TestSupport.events(request).size());
      }
    });
    eye = clientFor(server).maxBatchEvents(1).maxInFlightBatches(3).flushInterval(Duration.ofHours(1)).build();

    for (int i = 0; i < 5; i++) {
      eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
    }
    CompletableFuture<FlushResult> flushed = eye.flush();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.getRequestCount() == 3);
    assertThat(server.getRequestCount()).as("no more than 3 in flight").isEqualTo(3);

    answer.countDown();
    flushed.get(10, TimeUnit.SECONDS);
    assertThat(server.getRequestCount()).isEqualTo(5);
    assertThat(eye.counters().acknowledged()).isEqualTo(5);
  }

  @Test
  void eventIdsAreDistinctUuidV7sInTrackingOrder() throws Exception {
    AcceptingDispatcher collector = new AcceptingDispatcher();
    server.setDispatcher(collector);
    eye = clientFor(server).maxBatchEvents(1000).build();

    for (int i = 0; i < 1000; i++) {
      eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
    }
    eye.flush().get(10, TimeUnit.SECONDS);

    List<String> ids = collector.received.stream().map(Event::eventId).collect(Collectors.toList());
    assertThat(ids).doesNotHaveDuplicates().hasSize(1000).isSorted();
  }

  @Test
  void reusesOneConnectionForBatchAfterBatch() throws Exception {
    server.setDispatcher(new AcceptingDispatcher());
    eye = clientFor(server).build();

    for (int i = 0; i < 3; i++) {
      eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
      eye.flush().get(10, TimeUnit.SECONDS);
    }

    // The sequence number counts requests on one connection: 0, 1, 2 means no reconnect.
    assertThat(List.of(take(server), take(server), take(server)))
        .extracting(RecordedRequest::getSequenceNumber).containsExactly(0, 1, 2);
  }
}
