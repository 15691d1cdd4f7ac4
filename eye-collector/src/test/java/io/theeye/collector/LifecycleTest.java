package io.theeye.collector;

import static io.theeye.collector.TestSender.batch;
import static io.theeye.collector.TestSender.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.collector.TestSender.Answer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** 503s, readiness, metrics and the ack modes: the writer is held by holding the database's write lock. */
@Timeout(60)
class LifecycleTest extends CollectorTestSupport {

  private static final String TS = "2021-01-01 09:15:27.243860";

  private static int queueDepth(TestSender sender) {
    return sender.get("/ready").json().path("queue_depth").asInt();
  }

  @Test
  void fullQueueAnswers503WithRetryAfterAndRecovers() throws Exception {
    Collector c = start(b -> b.queueCapacity(2).maxEventsPerRequest(2).store(storeWaitingLong()));
    TestSender sender = new TestSender(c);
    CompletableFuture<Answer> first;
    try (AutoCloseable held = holdWrites()) {
      first = CompletableFuture.supplyAsync(() ->
          sender.post(KEY, SECRET, batch(pageview("a-1", "s-1", TS), pageview("a-2", "s-1", TS))));
      await().atMost(Duration.ofSeconds(10)).until(() -> queueDepth(sender) == 2);

      Answer refused = sender.post(KEY, SECRET, pageview("b-1", "s-1", TS));
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.error()).isEqualTo("overloaded");
      assertThat(refused.retryAfter()).hasValue(1);

      Answer ready = sender.get("/ready");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().path("queue_has_room").asBoolean()).isFalse();
      assertThat(ready.json().path("database_writable").asBoolean()).isTrue();
      assertThat(ready.json().path("message").asText()).contains("queue is full");
    }
    assertThat(first.get(20, TimeUnit.SECONDS).status()).isEqualTo(202);
    Answer retried = sender.post(KEY, SECRET, pageview("b-1", "s-1", TS));
    assertThat(retried.status()).isEqualTo(202);
    assertThat(sender.get("/ready").status()).isEqualTo(200);
    assertThat(rows("SELECT event_id FROM events ORDER BY id")).extracting(r -> r.get("event_id"))
        .containsExactly("a-1", "a-2", "b-1");
    assertThat(sender.get("/metrics").body()).contains("eye_requests_total{path=\"/v1/events\",status=\"503\"} 1.0");
  }

  @Test
  void failedCommitAnswers503StorageUnavailableAndStoresNothing() throws Exception {
    Collector c = start(b -> b.store(storeFailingFast()));
    TestSender sender = new TestSender(c);
    try (AutoCloseable held = holdWrites()) {
      Answer a = sender.post(KEY, SECRET, pageview("x-1", "s-1", TS));
      assertThat(a.status()).isEqualTo(503);
      assertThat(a.error()).isEqualTo("storage_unavailable");
      assertThat(a.retryAfter()).isPresent();
      assertThat(a.retryAfter().getAsInt()).isGreaterThanOrEqualTo(1);
    }
    assertThat(storedRows()).isZero();
    assertThat(sender.get("/metrics").body()).contains("eye_writer_failures_total 1.0");
    // The writer keeps going once the database is writable again.
    assertThat(sender.post(KEY, SECRET, pageview("x-1", "s-1", TS)).status()).isEqualTo(202);
    assertThat(count("SELECT COUNT(*) FROM events")).isEqualTo(1);
  }

  @Test
  void stoppingCollectorAnswers503ShuttingDownAndCommitsWhatItAccepted() throws Exception {
    Collector c = start(b -> b.store(storeWaitingLong()));
    TestSender sender = new TestSender(c);
    CompletableFuture<Answer> inFlight;
    CompletableFuture<Void> stopped;
    try (AutoCloseable held = holdWrites()) {
      inFlight = CompletableFuture.supplyAsync(() -> sender.post(KEY, SECRET, pageview("kept", "s-1", TS)));
      await().atMost(Duration.ofSeconds(10)).until(() -> queueDepth(sender) == 1);
      stopped = c.shutdown();
      await().atMost(Duration.ofSeconds(10)).until(() -> sender.get("/health").status() == 503);

      Answer refused = sender.post(KEY, SECRET, pageview("refused", "s-1", TS));
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.error()).isEqualTo("shutting_down");
      assertThat(refused.retryAfter()).isPresent();
      assertThat(stopped).isNotDone();
    }
    assertThat(inFlight.get(20, TimeUnit.SECONDS).status()).isEqualTo(202);
    stopped.get(20, TimeUnit.SECONDS);
    assertThat(rows("SELECT event_id FROM events")).extracting(r -> r.get("event_id")).containsExactly("kept");
  }

  @Test
  void queuedAckAnswersBeforeTheCommitWithInRequestDuplicatesOnly() throws Exception {
    Collector c = start(b -> b.ack(AckMode.QUEUED).store(storeWaitingLong()));
    TestSender sender = new TestSender(c);
    try (AutoCloseable held = holdWrites()) {
      // The database is locked, so this 202 can only have been sent before the commit.
      Answer a = sender.post(KEY, SECRET, batch(pageview("q-1", "s-1", TS), pageview("q-1", "s-1", TS),
          pageview("q-2", "s-1", TS)));
      assertThat(a.status()).isEqualTo(202);
      assertThat(a.json().path("accepted").asInt()).isEqualTo(2);
      assertThat(a.json().path("duplicates").asInt()).isEqualTo(1);
      assertThat(count("SELECT COUNT(*) FROM events")).isZero();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT COUNT(*) FROM events") == 2);
    // A duplicate of a stored event cannot be known before the commit in this mode.
    Answer again = sender.post(KEY, SECRET, pageview("q-2", "s-1", TS));
    assertThat(again.json().path("accepted").asInt()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> queueDepth(sender) == 0);
    assertThat(count("SELECT COUNT(*) FROM events")).isEqualTo(2);
  }

  @Test
  void queuedAckStillRecordsMalformedBodies() throws Exception {
    Collector c = start(b -> b.ack(AckMode.QUEUED));
    Answer a = new TestSender(c).post(KEY, SECRET, "{nope");
    assertThat(a.status()).isEqualTo(400);
    await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT COUNT(*) FROM rejected_events") == 1);
  }

  @Test
  void healthReadyAndMetricsAnswer() throws Exception {
    Collector c = start();
    TestSender sender = new TestSender(c);
    Answer health = sender.get("/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().path("status").asText()).isEqualTo("ok");
    Answer ready = sender.get("/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().path("database_writable").asBoolean()).isTrue();
    assertThat(ready.json().path("queue_has_room").asBoolean()).isTrue();

    sender.post(KEY, SECRET, batch(pageview("m-1", "s-1", TS), pageview("m-1", "s-1", TS),
        TestSender.event("m-2", "s-1", "page interaction", "pageview", TS, null, "{}")));
    Answer metrics = sender.get("/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.headers().get("content-type")).anySatisfy(v -> assertThat(v).startsWith("text/plain"));
    assertThat(metrics.body())
        .contains("eye_requests_total{path=\"/v1/events\",status=\"202\"} 1.0")
        .contains("eye_requests_total{path=\"/health\",status=\"200\"} 1.0")
        .contains("eye_events_received_total{app_id=\"shop\"} 3.0")
        .contains("eye_events_accepted_total{app_id=\"shop\"} 1.0")
        .contains("eye_events_duplicates_total{app_id=\"shop\"} 1.0")
        .contains("eye_events_rejected_total{app_id=\"shop\",reason=\"schema_violation\"} 1.0")
        .contains("eye_queue_depth 0.0")
        .contains("eye_queue_capacity ")
        .contains("eye_writer_batch_rows_count 1")
        .contains("eye_writer_batch_requests_count 1")
        .contains("eye_writer_commit_seconds_count 1")
        .contains("jvm_memory_used_bytes")
        .doesNotContain(SECRET);
  }

  @Test
  void unknownPathsAndMethodsGetJsonErrors() throws Exception {
    Collector c = start();
    TestSender sender = new TestSender(c);
    Answer notFound = sender.get("/v2/events");
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.error()).isEqualTo("not_found");
    Answer wrongMethod = sender.get("/v1/events");
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.error()).isEqualTo("method_not_allowed");
    assertThat(wrongMethod.headers().get("allow")).containsExactly("POST");
    assertThat(sender.method("DELETE", "/health").status()).isEqualTo(405);
  }
}
