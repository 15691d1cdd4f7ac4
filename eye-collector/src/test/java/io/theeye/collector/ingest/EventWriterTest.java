package io.theeye.collector.ingest;

import static io.theeye.collector.storage.TestRows.event;
import static io.theeye.collector.storage.TestRows.query;
import static io.theeye.collector.storage.TestRows.reader;
import static io.theeye.collector.storage.TestRows.request;
import static io.theeye.collector.storage.TestRows.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.theeye.collector.CollectorMetrics;
import io.theeye.collector.storage.EventRow;
import io.theeye.collector.storage.EventStore;
import io.theeye.collector.storage.RejectedRow;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteSync;
import io.theeye.model.Reason;
import io.theeye.model.Timestamps;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class EventWriterTest {

  @TempDir Path dir;
  final RecordingMetrics metrics = new RecordingMetrics();
  Path file;
  EventWriter writer;
  /** Opened by the test, closed by it after the writer's shutdown. */
  final List<EventStore> stores = new ArrayList<>();

  EventWriter writer(int capacity) throws StorageException {
    return writer(capacity, Duration.ofMillis(SqliteEventStore.DEFAULT_BUSY_TIMEOUT_MILLIS));
  }

  EventWriter writer(int capacity, Duration busyTimeout) throws StorageException {
    file = dir.resolve("eye.db");
    SqliteEventStore store = new SqliteEventStore(file, SqliteSync.FULL, busyTimeout);
    store.open(Set.of("shop", "blog"));
    stores.add(store);
    writer = new EventWriter(store, capacity, metrics);
    return writer;
  }

  @AfterEach
  void shutdown() {
    if (writer != null) {
      writer.shutdown().join();
    }
    stores.forEach(EventStore::close);
  }

  static CompletableFuture<WriteOutcome> queued(SubmitResult result) {
    assertThat(result).isInstanceOf(SubmitResult.Queued.class);
    return ((SubmitResult.Queued) result).committed();
  }

  static WriteRequest events(String app, String session, int count, String idPrefix) {
    List<EventRow> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(event(idPrefix + i, session, "2021-01-01 09:00:00"));
    }
    return new WriteRequest(app, Instant.now(), rows, List.of());
  }

  @Test
  void aSubmittedRequestIsCommittedBeforeItsFutureCompletes() throws Exception {
    writer(100).start();

    WriteOutcome outcome = queued(writer.submit(request("shop",
        event("e-1", "s-1", "2021-01-01 09:00:00"), event("e-1", "s-1", "2021-01-01 09:00:00")))).join();

    assertThat(outcome).isEqualTo(new WriteOutcome(1, 1));
    assertThat(scalar(file, "SELECT count(*) FROM events")).isEqualTo(1);
    assertThat(writer.depth()).isZero();
    assertThat(metrics.committedRequests.get()).isEqualTo(1);
    assertThat(metrics.committedRows.get()).isEqualTo(2);
  }

  @Test
  void requestsWaitingTogetherAreCommittedInOneTransaction() throws Exception {
    writer(1_000);
    List<CompletableFuture<WriteOutcome>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      futures.add(queued(writer.submit(events("shop", "s-" + i, 5, "r" + i + "-"))));
    }

    writer.start();
    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).join();

    assertThat(futures).allSatisfy(f -> assertThat(f.join()).isEqualTo(new WriteOutcome(5, 0)));
    assertThat(metrics.transactions.get()).isEqualTo(1);
    assertThat(metrics.committedRequests.get()).isEqualTo(10);
    assertThat(metrics.committedRows.get()).isEqualTo(50);
  }

  @Test
  void rejectedRowsCountTowardsTheQueueAndAreStored() throws Exception {
    writer(3);
    WriteRequest request = new WriteRequest("blog", Instant.now(), List.of(event("e-1", "s-1", "2021-01-01 09:00:00")),
        List.of(new RejectedRow(Reason.SCHEMA_VIOLATION, "/path: required", null, "s-1", "page interaction",
            "pageview", "{}")));

    CompletableFuture<WriteOutcome> committed = queued(writer.submit(request));
    assertThat(writer.depth()).isEqualTo(2);
    assertThat(writer.submit(request)).isInstanceOf(SubmitResult.Full.class);

    writer.start();
    assertThat(committed.join()).isEqualTo(new WriteOutcome(1, 0));
    assertThat(query(file, "SELECT app_id, reason FROM rejected_events"))
        .containsExactly(List.of("blog", "schema_violation"));
  }

  @Test
  void aRequestThatDoesNotFitWholeIsRefusedAndTheQueueRecoversAfterDraining() throws Exception {
    writer(10);
    CompletableFuture<WriteOutcome> first = queued(writer.submit(events("shop", "s-1", 6, "a")));

    assertThat(writer.submit(events("shop", "s-1", 5, "b"))).isInstanceOf(SubmitResult.Full.class);
    assertThat(writer.depth()).isEqualTo(6);
    CompletableFuture<WriteOutcome> second = queued(writer.submit(events("shop", "s-1", 4, "c")));
    assertThat(writer.depth()).isEqualTo(10);
    assertThat(writer.hasRoom()).isFalse();
    assertThat(writer.submit(events("shop", "s-1", 1, "d"))).isInstanceOf(SubmitResult.Full.class);
    assertThat(writer.submit(events("shop", "s-1", 11, "e"))).isInstanceOf(SubmitResult.Full.class);

    writer.start();
    first.join();
    second.join();

    assertThat(writer.depth()).isZero();
    assertThat(writer.hasRoom()).isTrue();
    assertThat(queued(writer.submit(events("shop", "s-1", 10, "f"))).join()).isEqualTo(new WriteOutcome(10, 0));
    assertThat(scalar(file, "SELECT event_count FROM sessions")).isEqualTo(20);
  }

  @Test
  void theQueueDepthIsRegisteredAsAGauge() throws Exception {
    writer(10);
    queued(writer.submit(events("shop", "s-1", 3, "a")));

    assertThat(metrics.depthGauge.getAsInt()).isEqualTo(3);
    assertThat(writer.capacity()).isEqualTo(10);
  }

  @Test
  void shutdownCommitsEverythingSubmittedBeforeItAndRefusesLaterRequests() throws Exception {
    writer(10_000).start();
    List<CompletableFuture<WriteOutcome>> futures = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      futures.add(queued(writer.submit(events("shop", "s-" + (i % 7), 20, "r" + i + "-"))));
    }

    CompletableFuture<Void> stopped = writer.shutdown();

    assertThat(writer.submit(events("shop", "s-1", 1, "late"))).isInstanceOf(SubmitResult.ShuttingDown.class);
    stopped.join();
    assertThat(futures).allSatisfy(f -> assertThat(f).isCompletedWithValue(new WriteOutcome(20, 0)));
    assertThat(scalar(file, "SELECT count(*) FROM events")).isEqualTo(2_000);
    assertThat(scalar(file, "SELECT sum(event_count) FROM sessions")).isEqualTo(2_000);
    assertThat(writer.shutdown()).isCompleted();
    assertThat(writer.submit(events("shop", "s-1", 1, "later"))).isInstanceOf(SubmitResult.ShuttingDown.class);
  }

  @Test
  void shutdownOfAWriterNeverStartedStillDrainsItsQueue() throws Exception {
    writer(100);
    CompletableFuture<WriteOutcome> committed = queued(writer.submit(events("shop", "s-1", 3, "a")));

    writer.shutdown().join();

    assertThat(committed).isCompletedWithValue(new WriteOutcome(3, 0));
    assertThat(scalar(file, "SELECT count(*) FROM events")).isEqualTo(3);
  }

  @Test
  void eightConcurrentSubmittersIntoTheSameSessionsLeaveExactCounts() throws Exception {
    writer(1_000_000).start();
    int threads = 8;
    int requestsPerThread = 50;
    String[] sessions = {"s-a", "s-b", "s-c"};
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<CompletableFuture<WriteOutcome>>>> submitted = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      submitted.add(pool.submit(() -> {
        go.await();
        List<CompletableFuture<WriteOutcome>> mine = new ArrayList<>();
        for (int r = 0; r < requestsPerThread; r++) {
          List<EventRow> rows = new ArrayList<>();
          for (int e = 0; e < 10; e++) {
            // Threads pair up on event ids (0 with 1, 2 with 3, ...): exactly one copy of each is stored.
            String id = "t" + (thread / 2) + "-r" + r + "-e" + e;
            String time = Timestamps.format(Instant.parse("2021-01-01T09:00:00Z").plusMillis(thread * 1000L + r * 10L + e));
            rows.add(event(id, sessions[(r + e) % sessions.length], time));
          }
          String app = r % 2 == 0 ? "shop" : "blog";
          Collections.shuffle(rows);
          mine.add(queued(writer.submit(new WriteRequest(app, Instant.now(), rows, List.of()))));
        }
        return mine;
      }));
    }
    go.countDown();
    List<WriteOutcome> outcomes = new ArrayList<>();
    for (Future<List<CompletableFuture<WriteOutcome>>> f : submitted) {
      for (CompletableFuture<WriteOutcome> c : f.get()) {
        outcomes.add(c.join());
      }
    }
    pool.shutdown();

    int accepted = outcomes.stream().mapToInt(WriteOutcome::accepted).sum();
    int duplicates = outcomes.stream().mapToInt(WriteOutcome::duplicates).sum();
    int unique = threads / 2 * requestsPerThread * 10;
    assertThat(accepted).isEqualTo(unique);
    assertThat(duplicates).isEqualTo(unique);
    assertThat(scalar(file, "SELECT count(*) FROM events")).isEqualTo(unique);
    assertThat(scalar(file, "SELECT sum(event_count) FROM sessions")).isEqualTo(unique);
    assertThat(query(file, "SELECT count(*) FROM sessions s WHERE"
        + " s.event_count = (SELECT count(*) FROM events e WHERE e.session_id = s.session_id)"
        + " AND s.first_seen_at = (SELECT min(occurred_at) FROM events e WHERE e.session_id = s.session_id)"
        + " AND s.last_seen_at = (SELECT max(occurred_at) FROM events e WHERE e.session_id = s.session_id)"))
        .containsExactly(List.of("3"));
  }

  @Test
  void aFailedTransactionFailsItsRequestsAndTheWriterKeepsWorking() throws Exception {
    writer(1_000, Duration.ofMillis(20)).start();
    CompletableFuture<WriteOutcome> failed;
    try (Connection other = reader(file); Statement s = other.createStatement()) {
      s.execute("BEGIN IMMEDIATE"); // an analyst holding the write lock: every write times out

      failed = queued(writer.submit(events("shop", "s-1", 2, "a")));

      assertThatThrownBy(failed::join)
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(StorageException.class);
      assertThat(metrics.failures.get()).isEqualTo(1);
      assertThat(writer.depth()).isZero();
      s.execute("ROLLBACK");
    }

    // The analyst's lock is gone, but the file may stay busy for a moment after it (the first try has a
    // 20 ms busy timeout): the writer keeps working when a later request commits.
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
        assertThat(queued(writer.submit(events("shop", "s-1", 2, "a"))).join()).isEqualTo(new WriteOutcome(2, 0)));
    assertThat(scalar(file, "SELECT event_count FROM sessions")).isEqualTo(2);
  }

  @Test
  void aRequestTheStoreRefusesFailsAloneNotWithItsGroup() throws Exception {
    writer(1_000);
    CompletableFuture<WriteOutcome> before = queued(writer.submit(events("shop", "s-1", 2, "a")));
    // data that is not a JSON object breaks the events table's CHECK constraint
    EventRow broken = new EventRow("bad-1", "s-2", "page interaction", "pageview",
        Instant.parse("2021-01-01T09:00:00Z"), 0L, "[1]");
    CompletableFuture<WriteOutcome> bad = queued(writer.submit(new WriteRequest("shop", Instant.now(),
        List.of(broken), List.of())));
    CompletableFuture<WriteOutcome> after = queued(writer.submit(events("blog", "s-3", 3, "b")));

    writer.start();

    assertThat(before.join()).isEqualTo(new WriteOutcome(2, 0));
    assertThat(after.join()).isEqualTo(new WriteOutcome(3, 0));
    assertThatThrownBy(bad::join).hasCauseInstanceOf(StorageException.class);
    assertThat(scalar(file, "SELECT count(*) FROM events")).isEqualTo(5);
    assertThat(scalar(file, "SELECT count(*) FROM sessions WHERE session_id = 's-2'")).isZero();
    assertThat(writer.depth()).isZero();
  }

  @Test
  void aFailingDatabaseFailsTheWholeGroupWithoutRetryingEachRequest() throws Exception {
    writer(1_000, Duration.ofMillis(20));
    List<CompletableFuture<WriteOutcome>> futures = new ArrayList<>();
    try (Connection other = reader(file); Statement s = other.createStatement()) {
      s.execute("BEGIN IMMEDIATE"); // the write lock is held: a database problem, not a data problem
      for (int i = 0; i < 5; i++) {
        futures.add(queued(writer.submit(events("shop", "s-" + i, 1, "r" + i + "-"))));
      }
      writer.start();
      for (CompletableFuture<WriteOutcome> f : futures) {
        assertThatThrownBy(f::join).hasCauseInstanceOf(StorageException.class);
      }
      s.execute("ROLLBACK");
    }
    assertThat(metrics.failures.get()).isEqualTo(1);
  }

  @Test
  void aRequestWhoseBytesDoNotFitIsRefusedEvenWhenItsRowsDo() throws Exception {
    file = dir.resolve("eye.db");
    SqliteEventStore store = new SqliteEventStore(file, SqliteSync.FULL);
    store.open(Set.of("shop"));
    stores.add(store);
    String big = "{\"k\":\"" + "x".repeat(30_000) + "\"}";
    WriteRequest large = new WriteRequest("shop", Instant.now(), List.of(new EventRow("big-1", "s-1",
        "page interaction", "pageview", Instant.parse("2021-01-01T09:00:00Z"), 0L, big)), List.of());
    long bytes = large.estimatedBytes();
    assertThat(bytes).isGreaterThan(30_000);
    // room for 1,000 rows but only for the bytes of one large request
    writer = new EventWriter(store, 1_000, bytes + 100, metrics);

    CompletableFuture<WriteOutcome> first = queued(writer.submit(large));
    assertThat(writer.queuedBytes()).isEqualTo(bytes);
    WriteRequest second = new WriteRequest("shop", Instant.now(), List.of(new EventRow("big-2", "s-1",
        "page interaction", "pageview", Instant.parse("2021-01-01T09:00:01Z"), 1L, big)), List.of());
    assertThat(writer.submit(second)).isInstanceOf(SubmitResult.Full.class);
    assertThat(writer.depth()).isEqualTo(1);

    writer.start();
    assertThat(first.join()).isEqualTo(new WriteOutcome(1, 0));
    assertThat(writer.queuedBytes()).isZero();
    assertThat(queued(writer.submit(second)).join()).isEqualTo(new WriteOutcome(1, 0));
  }

  @Test
  void capacityBytesMustBePositive() throws Exception {
    SqliteEventStore store = new SqliteEventStore(dir.resolve("eye.db"), SqliteSync.FULL);
    assertThatThrownBy(() -> new EventWriter(store, 10, 0, metrics))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("capacityBytes must be positive, was 0");
    store.close();
  }

  @Test
  void theWriterRunsOnOneNamedDaemonThread() throws Exception {
    writer(10).start();

    queued(writer.submit(events("shop", "s-1", 1, "a"))).join();
    queued(writer.submit(events("shop", "s-1", 1, "b"))).join();

    assertThat(metrics.committingThreads).containsExactly("eye-writer/daemon");
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new EventWriter(new SqliteEventStore(dir.resolve("x.db"), SqliteSync.FULL), 0,
        CollectorMetrics.NOOP)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacityEvents");
  }

  /** Counts what the writer reports. */
  /**
   * The real SQLite store, whose {@link #sync()} can be held (to see what waits for it) or made to fail
   * once (a disk that refuses an fsync). Not final: EventWriterFailureTest also watches its writes.
   */
  static class HeldSync implements EventStore {
    final SqliteEventStore store;
    final CountDownLatch syncing = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean failNext = new AtomicBoolean();
    final AtomicInteger syncs = new AtomicInteger();

    HeldSync(SqliteEventStore store) {
      this.store = store;
    }

    @Override
    public void open(Set<String> applicationIds) throws StorageException {
      store.open(applicationIds);
    }

    @Override
    public List<WriteOutcome> write(List<WriteRequest> requests) throws StorageException {
      return store.write(requests);
    }

    @Override
    public boolean syncsSeparately() {
      return store.syncsSeparately();
    }

    @Override
    public void sync() throws StorageException {
      syncs.incrementAndGet();
      syncing.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException("interrupted", e);
      }
      if (failNext.getAndSet(false)) {
        throw new StorageException("fsync failed: Input/output error");
      }
      store.sync();
    }

    @Override
    public boolean isWritable() {
      return store.isWritable();
    }

    @Override
    public String describe() {
      return store.describe();
    }

    @Override
    public void close() {
      store.close();
    }
  }

  HeldSync heldSyncWriter(SqliteSync sync) throws StorageException {
    file = dir.resolve("eye.db");
    SqliteEventStore sqlite = new SqliteEventStore(file, sync);
    sqlite.open(Set.of("shop"));
    HeldSync store = new HeldSync(sqlite);
    stores.add(store);
    writer = new EventWriter(store, 1_000, metrics);
    return store;
  }

  @Test
  void withSyncFullARequestIsAnsweredOnlyAfterAnFsyncThatFollowsItsCommit() throws Exception {
    HeldSync store = heldSyncWriter(SqliteSync.FULL);
    writer.start();

    CompletableFuture<WriteOutcome> first = queued(writer.submit(events("shop", "s-1", 2, "a")));
    store.syncing.await();

    // committed (readers see it) but not yet on stable storage: not answered
    assertThat(scalar(file, "SELECT count(*) FROM events")).isEqualTo(2);
    assertThat(first).isNotDone();
    // the writer does not wait for the fsync: the next request is committed meanwhile
    CompletableFuture<WriteOutcome> second = queued(writer.submit(events("shop", "s-1", 3, "b")));
    await().until(() -> writer.depth() == 0);
    assertThat(scalar(file, "SELECT count(*) FROM events")).isEqualTo(5);
    assertThat(second).isNotDone();

    store.release.countDown();

    assertThat(first.join()).isEqualTo(new WriteOutcome(2, 0));
    assertThat(second.join()).isEqualTo(new WriteOutcome(3, 0));
    assertThat(metrics.syncedTransactions.get()).isEqualTo(2);
  }

  @Test
  void aFailedFsyncFailsItsRequestsAndTheirRetryIsCountedAsDuplicates() throws Exception {
    HeldSync store = heldSyncWriter(SqliteSync.FULL);
    store.failNext.set(true);
    store.release.countDown();
    writer.start();

    CompletableFuture<WriteOutcome> failed = queued(writer.submit(events("shop", "s-1", 2, "a")));

    assertThatThrownBy(failed::join).hasCauseInstanceOf(StorageException.class)
        .hasMessageContaining("fsync failed");
    assertThat(metrics.failures.get()).isEqualTo(1);
    // the sender retries the same events: they were committed, so nothing is stored twice
    assertThat(queued(writer.submit(events("shop", "s-1", 2, "a"))).join()).isEqualTo(new WriteOutcome(0, 2));
    assertThat(scalar(file, "SELECT count(*) FROM events")).isEqualTo(2);
  }

  @Test
  void withSyncNormalNothingWaitsForAnFsync() throws Exception {
    HeldSync store = heldSyncWriter(SqliteSync.NORMAL);
    writer.start();

    assertThat(queued(writer.submit(events("shop", "s-1", 2, "a"))).join()).isEqualTo(new WriteOutcome(2, 0));
    assertThat(store.syncs.get()).isZero();
  }

  static final class RecordingMetrics implements CollectorMetrics {
    final AtomicInteger transactions = new AtomicInteger();
    final AtomicInteger committedRequests = new AtomicInteger();
    final AtomicInteger committedRows = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger syncedTransactions = new AtomicInteger();
    volatile IntSupplier depthGauge;
    final Set<String> committingThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public void writerCommitted(int requests, int rows, long commitNanos) {
      Thread thread = Thread.currentThread();
      committingThreads.add(thread.getName() + (thread.isDaemon() ? "/daemon" : "/user"));
      transactions.incrementAndGet();
      committedRequests.addAndGet(requests);
      committedRows.addAndGet(rows);
    }

    @Override
    public void writerFailed() {
      failures.incrementAndGet();
    }

    @Override
    public void writerSynced(int transactions, long syncNanos) {
      syncedTransactions.addAndGet(transactions);
    }

    @Override
    public void queueDepth(IntSupplier depth) {
      depthGauge = depth;
    }
  }
}
