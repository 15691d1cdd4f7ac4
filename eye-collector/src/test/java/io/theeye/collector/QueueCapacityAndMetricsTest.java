package io.theeye.collector;

import static io.theeye.collector.TestSender.batch;
import static io.theeye.collector.TestSender.event;
import static io.theeye.collector.TestSender.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.collector.TestSender.Answer;
import io.theeye.model.Reason;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The operator's small fixes: any positive queue capacity, and the series rotation and alerting need. */
@Timeout(60)
class QueueCapacityAndMetricsTest extends CollectorTestSupport {

  private static final String TS = "2021-01-01 09:15:27.243860";

  private static String pageviews(String prefix, int n) {
    return batch(IntStream.range(0, n).mapToObj(i -> pageview(prefix + "-" + i, "s-" + prefix, TS))
        .toArray(String[]::new));
  }

  private static int queueDepth(TestSender sender) {
    return sender.get("/ready").json().path("queue_depth").asInt();
  }

  @Test
  void queueCapacity100StartsTakesSmallRequestsAndAnswersABlastWith503() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CollectorMain main = new CollectorMain(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    String[] args = {"--port", "0", "--db", db(), "--queue-capacity", "100", "--app", APP + ":" + KEY + ":" + SECRET};
    assertThat(main.commandLine(args).execute(args)).as(out.toString(StandardCharsets.UTF_8)).isZero();
    try (Collector c = main.collector()) {
      TestSender sender = new TestSender(c);
      assertThat(sender.post(KEY, SECRET, pageviews("small", 3)).status()).isEqualTo(202);
      // Larger than the whole queue, but the queue is empty: admitted alone.
      assertThat(sender.post(KEY, SECRET, pageviews("large", 150)).status()).isEqualTo(202);

      CompletableFuture<Answer> first;
      List<Answer> blast = new ArrayList<>();
      try (AutoCloseable held = holdWrites()) {
        first = CompletableFuture.supplyAsync(() -> sender.post(KEY, SECRET, pageviews("first", 60)));
        await().atMost(Duration.ofSeconds(10)).until(() -> queueDepth(sender) == 60);
        List<CompletableFuture<Answer>> sent = IntStream.range(0, 10)
            .mapToObj(i -> CompletableFuture.supplyAsync(() -> sender.post(KEY, SECRET, pageviews("blast" + i, 60))))
            .collect(Collectors.toList());
        for (CompletableFuture<Answer> f : sent) {
          blast.add(f.get(10, TimeUnit.SECONDS));
        }
      }
      assertThat(blast).allSatisfy(a -> {
        assertThat(a.status()).isEqualTo(503);
        assertThat(a.error()).isEqualTo("overloaded");
        assertThat(a.retryAfter()).isPresent();
      });
      assertThat(first.get(20, TimeUnit.SECONDS).status()).isEqualTo(202);
      assertThat(count("SELECT count(*) FROM events")).isEqualTo(3 + 150 + 60);
    }
  }

  @Test
  void everySeriesIsPresentAtZeroFromStartup() throws Exception {
    Collector c = start(b -> b.app("blog", "blog-key-1", "blog-secret-0123456789abcdef"));
    String metrics = new TestSender(c).get("/metrics").body();
    for (String app : List.of(APP, "blog")) {
      for (Reason reason : Reason.values()) {
        assertThat(metrics).contains("eye_events_rejected_total{app_id=\"" + app + "\",reason=\"" + reason.code()
            + "\"} 0.0");
      }
      for (String series : List.of("received", "accepted", "duplicates", "unknown_type")) {
        assertThat(metrics).contains("eye_events_" + series + "_total{app_id=\"" + app + "\"} 0.0");
      }
    }
    assertThat(metrics)
        .contains("eye_requests_authenticated_total{app_id=\"shop\",key_id=\"shop-key-1\"} 0.0")
        .contains("eye_requests_authenticated_total{app_id=\"blog\",key_id=\"blog-key-1\"} 0.0")
        .contains("eye_config_reloads_total{result=\"ok\"} 0.0")
        .contains("eye_config_reloads_total{result=\"failed\"} 0.0");
    for (String cause : List.of("missing_key_id", "unknown_key_id", "missing_signature", "malformed_signature",
        "outside_window", "bad_signature")) {
      assertThat(metrics).contains("eye_auth_failures_total{cause=\"" + cause + "\"} 0.0");
    }
    for (String cause : List.of("slow_body", "receive_budget", "parse_busy")) {
      assertThat(metrics).contains("eye_requests_refused_total{cause=\"" + cause + "\"} 0.0");
    }
    for (int status : List.of(202, 400, 401, 413, 415, 500, 503)) {
      assertThat(metrics).contains("eye_requests_total{path=\"/v1/events\",status=\"" + status + "\"} 0.0");
    }
  }

  @Test
  void requestsAreCountedByApplicationAndKeyIdAndUnknownTypesByApplication() throws Exception {
    Collector c = start(b -> b.app(APP, "shop-key-2", "second-secret-abcdefabcdef"));
    TestSender sender = new TestSender(c);
    assertThat(sender.post(KEY, SECRET, pageview("a", "s", TS)).status()).isEqualTo(202);
    assertThat(sender.post(KEY, SECRET, batch(pageview("b", "s", TS),
        event("c", "s", "page interation", "pageview", TS, null, "{}"),
        event("d", "s", "page interation", "pageview", TS, null, "{}"))).status()).isEqualTo(202);
    assertThat(sender.post("unknown-key", SECRET, pageview("e", "s", TS)).status()).isEqualTo(401);
    String metrics = sender.get("/metrics").body();
    assertThat(metrics)
        .contains("eye_requests_authenticated_total{app_id=\"shop\",key_id=\"shop-key-1\"} 2.0")
        .contains("eye_requests_authenticated_total{app_id=\"shop\",key_id=\"shop-key-2\"} 0.0")
        .contains("eye_events_unknown_type_total{app_id=\"shop\"} 2.0")
        .contains("eye_events_accepted_total{app_id=\"shop\"} 4.0")
        .doesNotContain("unknown-key");
  }
}
