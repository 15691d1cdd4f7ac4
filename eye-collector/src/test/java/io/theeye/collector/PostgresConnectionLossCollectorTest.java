package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.collector.TestSender.Answer;
import io.theeye.collector.storage.postgres.PostgresEventStore;
import io.theeye.collector.storage.postgres.TcpProxy;
import io.theeye.testsupport.PostgresTestSchema;
import io.theeye.testsupport.RequiresPostgres;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The collector's connection to PostgreSQL breaks mid-load (a proxy between them is cut; the shared
 * server keeps running): the collector answers 503 with Retry-After and says it is not ready, never
 * acknowledges what it cannot keep, and takes traffic again when the connection returns.
 */
@RequiresPostgres
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PostgresConnectionLossCollectorTest {

  private static final String APP = "shop";
  private static final String KEY = "shop-key-1";
  private static final String SECRET = "shop-secret-0123456789abcdef";
  private static final int SENDERS = 3;
  private static final int EVENTS_PER_REQUEST = 10;

  private PostgresTestSchema schema;
  private TcpProxy proxy;
  private Collector collector;
  private final ExecutorService pool = Executors.newFixedThreadPool(SENDERS);

  @BeforeEach
  void start() throws Exception {
    schema = PostgresTestSchema.create();
    URI server = URI.create(PostgresTestSchema.SERVER_URL.substring("jdbc:".length()));
    proxy = new TcpProxy(server.getHost(), server.getPort());
    String viaProxy = schema.url().replace(server.getHost() + ":" + server.getPort(), "127.0.0.1:" + proxy.port());
    PostgresEventStore store = PostgresEventStore.builder(viaProxy)
        .startupTimeout(Duration.ZERO)
        .connectTimeout(Duration.ofSeconds(1))
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
        .build();
    collector = Collector.builder().port(0).store(store).app(APP, KEY, SECRET).start();
  }

  @AfterEach
  void stop() throws Exception {
    pool.shutdownNow();
    collector.close();
    proxy.close();
    schema.close();
  }

  @Test
  void lostDatabaseMeans503AndNotReadyAndNoAcknowledgedEventIsLost() throws Exception {
    TestSender sender = new TestSender(collector);
    AtomicBoolean stop = new AtomicBoolean();
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Map<String, String> unacknowledged = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();

    List<CompletableFuture<Void>> senders = new ArrayList<>();
    for (int t = 0; t < SENDERS; t++) {
      int thread = t;
      senders.add(CompletableFuture.runAsync(() -> {
        for (int r = 0; !stop.get(); r++) {
          List<String> ids = new ArrayList<>();
          List<String> events = new ArrayList<>();
          for (int e = 0; e < EVENTS_PER_REQUEST; e++) {
            String id = "t" + thread + "-r" + r + "-e" + e;
            ids.add(id);
            events.add(TestSender.pageview(id, "session-" + e % 4, "2024-03-01 10:00:00." + String.format("%06d", r)));
          }
          String body = TestSender.batch(events.toArray(String[]::new));
          Answer a = sender.post(KEY, SECRET, body);
          if (a.status() == 202) {
            acknowledged.addAll(ids);
            continue;
          }
          unacknowledged.put(ids.get(0), body);
          if (a.status() == 503 && (a.error().equals("storage_unavailable") || a.error().equals("overloaded"))
              && a.retryAfter().orElse(0) >= 1) {
            refusals.add(a.error());
          } else {
            unexpected.add(a.toString());
          }
          // As a client honouring Retry-After, or a load balancer watching /ready, would.
          await().atMost(Duration.ofSeconds(30)).until(() -> stop.get() || sender.get("/ready").status() == 200);
        }
      }, pool));
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.size() >= 300);
    proxy.cut();
    await().atMost(Duration.ofSeconds(20)).until(() -> refusals.contains("storage_unavailable"));
    Answer ready = sender.get("/ready");
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.json().path("database_writable").asBoolean()).isFalse();

    proxy.restore();
    int before = acknowledged.size();
    await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.size() >= before + 300);
    assertThat(sender.get("/ready").status()).isEqualTo(200);
    stop.set(true);
    CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    assertThat(unexpected).as("answers other than 202 and 503 with Retry-After").isEmpty();
    // The clients' retries of what was refused: what an unknown commit stored comes back as duplicates.
    Set<String> retried = new HashSet<>();
    for (String body : unacknowledged.values()) {
      Answer a = sender.post(KEY, SECRET, body);
      assertThat(a.status()).as(a.toString()).isEqualTo(202);
      assertThat(a.json().path("accepted").asInt() + a.json().path("duplicates").asInt())
          .isEqualTo(EVENTS_PER_REQUEST);
      retried.add(body);
    }
    Set<String> stored = new HashSet<>(schema.eventIds());
    assertThat(stored).containsAll(acknowledged);
    assertThat(stored).hasSize(acknowledged.size() + retried.size() * EVENTS_PER_REQUEST);
    assertThat(schema.sessionMismatches()).isZero();
  }
}
