package io.theeye.collector.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.theeye.collector.storage.EventRow;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.model.Timestamps;
import io.theeye.testsupport.PostgresTestSchema;
import io.theeye.testsupport.RequiresPostgres;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection to PostgreSQL breaks (a proxy between store and server is cut, the shared server
 * keeps running): writes fail fast, the store says it is not writable, and both recover when the
 * connection returns. Nothing a write acknowledged is lost.
 */
@RequiresPostgres
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PostgresConnectionLossTest {

  private static final Instant AT = Timestamps.parse("2024-03-01 10:00:00.000000");

  private PostgresTestSchema schema;
  private TcpProxy proxy;
  private PostgresEventStore store;

  @BeforeEach
  void start() throws Exception {
    schema = PostgresTestSchema.create();
    URI server = URI.create(PostgresTestSchema.SERVER_URL.substring("jdbc:".length()));
    proxy = new TcpProxy(server.getHost(), server.getPort());
    String viaProxy = schema.url().replace(server.getHost() + ":" + server.getPort(),
        "127.0.0.1:" + proxy.port());
    store = PostgresEventStore.builder(viaProxy)
        .startupTimeout(Duration.ZERO)
        .connectTimeout(Duration.ofSeconds(1))
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
        .build();
    store.open(Set.of("shop"));
  }

  @AfterEach
  void stop() throws Exception {
    store.close();
    proxy.close();
    schema.close();
  }

  @Test
  void aLostConnectionFailsWritesAndClearsWritableUntilItReturns() throws Exception {
    assertThat(store.write(List.of(request("before")))).containsExactly(new WriteOutcome(1, 0));

    proxy.cut();
    assertThatThrownBy(() -> store.write(List.of(request("during-1"))))
        .isInstanceOf(StorageException.class);
    assertThat(store.isWritable()).isFalse();
    assertThatThrownBy(() -> store.write(List.of(request("during-2"))))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("unavailable");

    proxy.restore();
    await().atMost(Duration.ofSeconds(20)).until(store::isWritable);
    assertThat(store.write(List.of(request("after"), request("before"))))
        .containsExactly(new WriteOutcome(1, 0), new WriteOutcome(0, 1));
    assertThat(schema.eventIds()).containsExactlyInAnyOrder("before", "after");
  }

  @Test
  void nothingAcknowledgedIsLostWhenTheConnectionBreaksMidLoadAndRetriesAreHarmless()
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger failures = new AtomicInteger();
    Set<String> acknowledged = new HashSet<>();
    List<String> unacknowledged = new ArrayList<>();
    CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
      for (int batch = 0; !stop.get(); batch++) {
        List<WriteRequest> requests = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int r = 0; r < 5; r++) {
          List<EventRow> rows = new ArrayList<>();
          for (int e = 0; e < 20; e++) {
            String id = "b" + batch + "-r" + r + "-e" + e;
            ids.add(id);
            rows.add(new EventRow(id, "session-" + (e % 7), "c", "n", AT.plusMillis(e), null, "{}"));
          }
          requests.add(new WriteRequest("shop", AT, rows, List.of()));
        }
        try {
          store.write(requests);
          synchronized (acknowledged) {
            acknowledged.addAll(ids);
          }
        } catch (StorageException e) {
          failures.incrementAndGet();
          synchronized (acknowledged) {
            unacknowledged.addAll(ids);
          }
          // As a client honouring Retry-After would: no new attempt until the store is back.
          await().atMost(Duration.ofSeconds(30)).until(() -> store.isWritable() || stop.get());
        }
      }
    });

    await().atMost(Duration.ofSeconds(20)).until(() -> sizeOf(acknowledged) > 500);
    proxy.cut();
    await().atMost(Duration.ofSeconds(20)).until(() -> failures.get() > 0);
    assertThat(store.isWritable()).isFalse();
    proxy.restore();
    int ackedBeforeRestore = sizeOf(acknowledged);
    await().atMost(Duration.ofSeconds(20)).until(() -> sizeOf(acknowledged) > ackedBeforeRestore + 500);
    stop.set(true);
    load.get(20, TimeUnit.SECONDS);

    // The client's retry of everything not acknowledged: some of it may have been committed before
    // the connection broke (an unknown COMMIT outcome); event_id dedupe makes that harmless.
    List<EventRow> retry = new ArrayList<>();
    for (String id : unacknowledged) {
      String[] parts = id.split("-e");
      int e = Integer.parseInt(parts[1]);
      retry.add(new EventRow(id, "session-" + (e % 7), "c", "n", AT.plusMillis(e), null, "{}"));
    }
    WriteOutcome retried = store.write(List.of(new WriteRequest("shop", AT, retry, List.of()))).get(0);
    assertThat(retried.accepted() + retried.duplicates()).isEqualTo(unacknowledged.size());

    Set<String> stored = new HashSet<>(schema.eventIds());
    assertThat(stored).containsAll(acknowledged);
    assertThat(stored).hasSize(acknowledged.size() + unacknowledged.size());
    assertThat(schema.sessionMismatches()).isZero();
  }

  private static WriteRequest request(String eventId) {
    return new WriteRequest("shop", AT,
        List.of(new EventRow(eventId, "s", "c", "n", AT, null, "{}")), List.of());
  }

  private static int sizeOf(Set<String> set) {
    synchronized (set) {
      return set.size();
    }
  }
}
