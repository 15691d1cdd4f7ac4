package io.theeye.collector;

import static io.theeye.collector.TestSender.batch;
import static io.theeye.collector.TestSender.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteSync;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Analysts reading the file while the collector writes do not make it stop answering, and do not make
 * the WAL grow without bound (docs/operations.md, "The WAL and readers"). Not timed: the assertions are
 * on answers, rows and sizes; the durations (60 s of two query loops, a reader holding 30 s) are the
 * scenario.
 */
class WalAndReadersTest extends CollectorTestSupport {

  /** The default limit: at 400 events/s of ~0.7 KiB the WAL passes it every ten seconds or so. */
  private static final long WAL_LIMIT = SqliteEventStore.DEFAULT_WAL_LIMIT_BYTES;

  /**
   * What docs/operations.md promises for readers whose queries last well under half a second: the WAL
   * stays under twice its limit.
   */
  private static final long BOUND_WITH_SHORT_READERS = 2 * WAL_LIMIT;

  private static final String TS = "2021-01-01 09:15:27.243860";
  private static final String PADDING = "x".repeat(600);
  private static final Pattern WAL_METRIC = Pattern.compile("(?m)^eye_sqlite_wal_bytes (\\S+)$");

  private Collector collector;
  private TestSender sender;
  private final AtomicLong sent = new AtomicLong();
  private final ConcurrentLinkedQueue<Integer> failures = new ConcurrentLinkedQueue<>();

  private Path wal() {
    return Path.of(Path.of(db()).toAbsolutePath() + "-wal");
  }

  private long walBytes() throws Exception {
    try {
      return Files.size(wal());
    } catch (NoSuchFileException e) {
      return 0;
    }
  }

  private long walMetric() {
    Matcher m = WAL_METRIC.matcher(sender.get("/metrics").body());
    assertThat(m.find()).as("eye_sqlite_wal_bytes in /metrics").isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  private long metric(String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(sender.get("/metrics").body());
    assertThat(m.find()).as(series + " in /metrics").isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  private void startCollector() throws Exception {
    collector = start(b -> b.store(new SqliteEventStore(Path.of(db()), SqliteSync.FULL, Duration.ofSeconds(5),
        WAL_LIMIT)));
    sender = new TestSender(collector);
    // Enough rows that a full scan takes a while: 60,000 events of ~0.7 KiB.
    for (int r = 0; r < 60; r++) {
      assertThat(sender.post(KEY, SECRET, events(1000)).status()).isEqualTo(202);
    }
  }

  private static String events(int n) {
    String[] events = new String[n];
    for (int i = 0; i < n; i++) {
      events[i] = event(UUID.randomUUID().toString(), "s-" + (i % 50), "wal test", "load", TS, null,
          "{\"pad\":\"" + PADDING + "\"}");
    }
    return batch(events);
  }

  /** 400 events/s: a request of 10 events every 25 ms, until the returned executor is shut down. */
  private ScheduledExecutorService sendAt400PerSecond() {
    ScheduledExecutorService load = Executors.newScheduledThreadPool(4);
    load.scheduleAtFixedRate(() -> load.execute(() -> {
      int status = sender.post(KEY, SECRET, events(10)).status();
      if (status == 202) {
        sent.addAndGet(10);
      } else {
        failures.add(status);
      }
    }), 0, 25, TimeUnit.MILLISECONDS);
    return load;
  }

  private static void stop(ScheduledExecutorService load) throws InterruptedException {
    load.shutdown();
    assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
  }

  /** An analyst's loop of short full-scan queries, back to back, each its own read transaction. */
  private Thread analyst(AtomicBoolean stop, List<Long> queryMillis, AtomicLong queries) {
    Thread t = new Thread(() -> {
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
          Statement s = c.createStatement()) {
        while (!stop.get()) {
          long t0 = System.nanoTime();
          try (ResultSet rs = s.executeQuery(
              "SELECT count(*), sum(length(data)) FROM events WHERE data LIKE '%no such text%'")) {
            rs.next();
          }
          queries.incrementAndGet();
          synchronized (queryMillis) {
            queryMillis.add((System.nanoTime() - t0) / 1_000_000);
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }, "analyst");
    t.start();
    return t;
  }

  @Test
  @Timeout(240)
  void twoAnalystLoopsOfShortFullScansForAMinuteKeepTheWalUnderItsBound() throws Exception {
    startCollector();
    // The preload's burst is over once the WAL is back under its limit; the scenario starts there.
    await().atMost(Duration.ofSeconds(30)).until(() -> walBytes() <= WAL_LIMIT);
    AtomicBoolean stop = new AtomicBoolean();
    List<Long> queryMillis = new ArrayList<>();
    AtomicLong queries = new AtomicLong();
    AtomicLong largestWal = new AtomicLong();
    ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
    watch.scheduleAtFixedRate(() -> {
      try {
        largestWal.accumulateAndGet(walBytes(), Math::max);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, 0, 20, TimeUnit.MILLISECONDS);
    long truncatedBefore = metric("eye_sqlite_checkpoints_total{mode=\"restart\",result=\"done\"}");

    ScheduledExecutorService load = sendAt400PerSecond();
    Thread a1 = analyst(stop, queryMillis, queries);
    Thread a2 = analyst(stop, queryMillis, queries);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    // The scenario's length: a minute of both loops, checking all along that ingest answers.
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      assertThat(failures).isEmpty();
      return System.nanoTime() >= end;
    });
    stop.set(true);
    a1.join();
    a2.join();
    stop(load);
    watch.shutdownNow();

    long medianQuery;
    synchronized (queryMillis) {
      medianQuery = queryMillis.stream().sorted().skip(queryMillis.size() / 2).findFirst().orElseThrow();
    }
    String what = "largest WAL " + largestWal.get() + " B, " + queries.get() + " queries, median "
        + medianQuery + " ms";
    assertThat(failures).as(what).isEmpty();
    assertThat(medianQuery).as("the analysts' queries must overlap the writes: " + what).isGreaterThan(5);
    assertThat(largestWal.get()).as(what).isLessThan(BOUND_WITH_SHORT_READERS);
    assertThat(metric("eye_sqlite_checkpoints_total{mode=\"restart\",result=\"done\"}"))
        .as("the WAL was restarted past its limit while the analysts read: " + what)
        .isGreaterThan(truncatedBefore);
    assertThat(count("SELECT count(*) FROM events")).isEqualTo(60_000 + sent.get());
  }

  @Test
  @Timeout(240)
  void aReadTransactionHeldFor30SecondsLetsIngestGoOnAndTheWalShrinksOnceItEnds() throws Exception {
    startCollector();
    ScheduledExecutorService load = sendAt400PerSecond();
    long sentAtStart;
    long largestWhileHeld;
    try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + db());
        Statement s = reader.createStatement()) {
      s.execute("BEGIN");
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
        rs.next();
      }
      sentAtStart = sent.get();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      AtomicLong largest = new AtomicLong();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
        assertThat(failures).isEmpty();
        largest.accumulateAndGet(walMetric(), Math::max);
        return System.nanoTime() >= end;
      });
      largestWhileHeld = largest.get();
      // Ingest went on: about 12,000 events acknowledged in the 30 s (at least half of them).
      assertThat(sent.get() - sentAtStart).isGreaterThan(6_000);
      assertThat(largestWhileHeld).as("the metric shows the WAL growing past its limit").isGreaterThan(WAL_LIMIT);
      assertThat(metric("eye_sqlite_checkpoints_total{mode=\"restart\",result=\"refused\"}"))
          .as("truncating checkpoints gave up while the reader held its snapshot").isPositive();
      s.execute("COMMIT");
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> walMetric() <= WAL_LIMIT);
    stop(load);
    assertThat(failures).isEmpty();
    assertThat(count("SELECT count(*) FROM events")).isEqualTo(60_000 + sent.get());
  }
}
