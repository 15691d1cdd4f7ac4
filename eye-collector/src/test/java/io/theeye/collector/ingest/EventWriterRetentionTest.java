package io.theeye.collector.ingest;

import static io.theeye.collector.storage.TestRows.event;
import static io.theeye.collector.storage.TestRows.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.collector.CollectorMetrics;
import io.theeye.collector.ingest.EventWriter.Retention;
import io.theeye.collector.storage.EventRow;
import io.theeye.collector.storage.EventStore;
import io.theeye.collector.storage.RejectedRow;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteSync;
import io.theeye.model.Reason;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the writer paces retention: steps of at most {@link Retention#STEP_ROWS} rows, never while a request
 * waits, a tenth of the time while requests arrive, back to back once ingest is idle. Time is a ticker the
 * test moves; each step "takes" {@link #STEP}, so no assertion depends on how fast the machine is.
 */
@Timeout(60)
class EventWriterRetentionTest {

  private static final Duration STEP = Duration.ofMillis(2);
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);
  private static final Duration WINDOW = Duration.ofHours(1);

  @TempDir Path dir;
  Path file;
  SqliteEventStore sqlite;
  Recording store;
  final FakeTicker ticker = new FakeTicker();
  EventWriter writer;

  @AfterEach
  void shutdown() {
    if (store != null) {
      store.release.countDown();
    }
    if (writer != null) {
      writer.shutdown().join();
    }
    if (sqlite != null) {
      sqlite.close();
    }
  }

  /** A store holding {@code expired} events and rejected rows received two hours ago, and 5 fresh events. */
  private void store(int expired) throws StorageException {
    file = dir.resolve("eye.db");
    sqlite = new SqliteEventStore(file, SqliteSync.FULL);
    sqlite.open(Set.of("shop"));
    Instant old = NOW.minus(2, ChronoUnit.HOURS);
    List<EventRow> events = new ArrayList<>();
    List<RejectedRow> rejected = new ArrayList<>();
    for (int i = 0; i < expired; i++) {
      events.add(event("old-" + i, "s-" + (i % 7), "2021-01-01 09:00:00"));
      rejected.add(new RejectedRow(Reason.SCHEMA_VIOLATION, "test", "bad-" + i, "s-1", "page interaction",
          "pageview", "{}"));
    }
    List<EventRow> fresh = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      fresh.add(event("fresh-" + i, "s-1", "2021-01-01 09:00:00"));
    }
    sqlite.write(List.of(new WriteRequest("shop", old, events, rejected),
        new WriteRequest("shop", NOW.minus(1, ChronoUnit.MINUTES), fresh, List.of())));
    store = new Recording(sqlite, ticker);
    writer = new EventWriter(store, 10_000, CollectorMetrics.NOOP)
        .retain(new Retention(WINDOW, WINDOW, Clock.fixed(NOW, ZoneOffset.UTC)))
        .ticker(ticker);
  }

  private CompletableFuture<WriteOutcome> submit(String eventId) {
    SubmitResult result = writer.submit(new WriteRequest("shop", NOW, List.of(event(eventId, "s-live",
        "2021-01-01 09:00:00")), List.of()));
    assertThat(result).isInstanceOf(SubmitResult.Queued.class);
    return ((SubmitResult.Queued) result).committed();
  }

  /**
   * Waits until the writer has read the ticker {@code reads} more times: then any step it decided on with
   * the current time has begun (a step reads the ticker once before and once after deleting).
   */
  private void awaitWriterLookedAtTheTime(int reads) {
    long from = ticker.reads.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> ticker.reads.get() >= from + reads);
  }

  @Test
  void theRestAfterAStepIsNineTimesItsDurationWhileBusyAndNothingWhenIdleOrAMinuteWhenCaughtUp() {
    long step = STEP.toNanos();
    long idle = Retention.IDLE_AFTER.toNanos();
    assertThat(Retention.restNanos(true, step, 0)).isEqualTo(9 * step);
    assertThat(Retention.restNanos(true, step, idle - 1)).isEqualTo(9 * step);
    assertThat(Retention.restNanos(true, step, idle)).isZero();
    assertThat(Retention.restNanos(false, step, 0)).isEqualTo(Retention.CHECK_INTERVAL.toNanos());
    assertThat(Retention.restNanos(false, step, idle)).isEqualTo(Retention.CHECK_INTERVAL.toNanos());
    // A clock that went nowhere (or a step measured as negative) does not make the writer wait.
    assertThat(Retention.restNanos(true, -5, 0)).isZero();
  }

  @Test
  void whileIdleStepsOfAtMostStepRowsRunBackToBackUntilCaughtUpAndSyncNothing() throws Exception {
    int expired = 2 * Retention.STEP_ROWS + 50;
    store(expired);

    // No request ever arrives, and the ticker moves only by the steps' own 2 ms: if idle deletion rested
    // between steps, the second would never come.
    writer.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> store.steps().size() == 3);

    assertThat(store.steps()).containsExactly(
        new Step(Retention.STEP_ROWS, Retention.STEP_ROWS, Retention.STEP_ROWS),
        new Step(Retention.STEP_ROWS, Retention.STEP_ROWS, Retention.STEP_ROWS),
        new Step(Retention.STEP_ROWS, 50, 50));
    assertThat(scalar(file, "SELECT count(*) FROM events")).isEqualTo(5);
    assertThat(scalar(file, "SELECT count(*) FROM rejected_events")).isZero();
    // A deletion waits for no fsync of its own: a crash that loses one just deletes again.
    assertThat(store.syncs.get()).isZero();
    // Caught up: the next check is a minute away, so a request finds no fourth step before or after it.
    submit("after").join();
    assertThat(store.steps()).hasSize(3);
  }

  @Test
  void aStepNeverStartsWhileARequestIsWaiting() throws Exception {
    store(5 * Retention.STEP_ROWS);
    store.holdNextStep();
    writer.start();
    assertThat(store.stepping.await(10, TimeUnit.SECONDS)).isTrue();

    // Three requests queue up behind the step in progress; ingest was idle, so without them the next
    // step would follow at once.
    List<CompletableFuture<WriteOutcome>> futures = List.of(submit("a"), submit("b"), submit("c"));
    store.release.countDown();
    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).join();

    assertThat(store.calls().subList(0, 2)).containsExactly("delete", "write 3");
    assertThat(futures).allSatisfy(f -> assertThat(f.join()).isEqualTo(new WriteOutcome(1, 0)));
  }

  @Test
  void whileRequestsArriveTheNextStepWaitsNineTimesTheLastStepAndFullSpeedResumesOnceIdle() throws Exception {
    store(6 * Retention.STEP_ROWS);
    CompletableFuture<WriteOutcome> first = submit("first");
    writer.start();
    first.join();
    await().atMost(Duration.ofSeconds(10)).until(() -> store.steps().size() == 1);
    // The request was taken at 0, the step ran from 0 to 2 ms: the next is due at 2 + 18 = 20 ms.
    long due = STEP.toNanos() * 10;

    ticker.set(due - 1);
    // A request in the rest is committed at once, and moves nothing.
    submit("in-the-rest").join();
    awaitWriterLookedAtTheTime(4);
    assertThat(store.steps()).hasSize(1);

    ticker.set(due);
    await().atMost(Duration.ofSeconds(10)).until(() -> store.steps().size() == 2);
    // That request was taken at 20 ms - 1 ns; the step ran from 20 to 22 ms: the next is due at 40 ms.
    ticker.set(2 * due - 1);
    awaitWriterLookedAtTheTime(4);
    assertThat(store.steps()).hasSize(2);

    // A second after the last request, ingest is idle: the rest of the backlog goes back to back.
    ticker.set(due - 1 + Retention.IDLE_AFTER.toNanos());
    await().atMost(Duration.ofSeconds(20)).until(() -> store.steps().size() == 7);
    assertThat(store.steps().get(5).events()).isEqualTo(Retention.STEP_ROWS);
    assertThat(store.steps().get(6).events()).isZero();
    assertThat(scalar(file, "SELECT count(*) FROM events WHERE event_id LIKE 'old-%'")).isZero();
    assertThat(store.calls()).containsSubsequence("write 1", "delete", "write 1", "delete", "delete");
  }

  /** A monotonic clock that moves only when told (or when a step "takes" its time). */
  static final class FakeTicker implements LongSupplier {
    final AtomicLong now = new AtomicLong();
    final AtomicLong reads = new AtomicLong();

    @Override
    public long getAsLong() {
      long value = now.get();
      reads.incrementAndGet();
      return value;
    }

    void set(long nanos) {
      now.set(nanos);
    }
  }

  /** What one deleteExpired was asked for and what it deleted. */
  record Step(int maxRows, int events, int rejected) {}

  /**
   * The real SQLite store, recording each call in order; each retention step moves the ticker by
   * {@link #STEP}, and one step can be held until {@link #release} opens.
   */
  static final class Recording implements EventStore {
    final SqliteEventStore store;
    final FakeTicker ticker;
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final List<Step> steps = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger syncs = new AtomicInteger();
    volatile boolean holdNext;
    final CountDownLatch stepping = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    Recording(SqliteEventStore store, FakeTicker ticker) {
      this.store = store;
      this.ticker = ticker;
    }

    void holdNextStep() {
      holdNext = true;
    }

    List<Step> steps() {
      synchronized (steps) {
        return List.copyOf(steps);
      }
    }

    List<String> calls() {
      synchronized (calls) {
        return List.copyOf(calls);
      }
    }

    @Override
    public void open(Set<String> applicationIds) throws StorageException {
      store.open(applicationIds);
    }

    @Override
    public List<WriteOutcome> write(List<WriteRequest> requests) throws StorageException {
      calls.add("write " + requests.size());
      return store.write(requests);
    }

    @Override
    public boolean syncsSeparately() {
      return store.syncsSeparately();
    }

    @Override
    public void sync() throws StorageException {
      syncs.incrementAndGet();
      store.sync();
    }

    @Override
    public boolean supportsRetention() {
      return store.supportsRetention();
    }

    @Override
    public Expired deleteExpired(Instant eventsBefore, Instant rejectedBefore, int maxRows)
        throws StorageException {
      calls.add("delete");
      if (holdNext) {
        holdNext = false;
        stepping.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StorageException("interrupted", e);
        }
      }
      Expired expired = store.deleteExpired(eventsBefore, rejectedBefore, maxRows);
      steps.add(new Step(maxRows, expired.events(), expired.rejected()));
      ticker.now.addAndGet(STEP.toNanos());
      return expired;
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
}
