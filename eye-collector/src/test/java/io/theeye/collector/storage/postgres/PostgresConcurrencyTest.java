package io.theeye.collector.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.storage.EventRow;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.model.Timestamps;
import io.theeye.testsupport.PostgresTestSchema;
import io.theeye.testsupport.RequiresPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several stores on one schema stand for several collectors on one database: each has its own writer
 * thread, and the database alone keeps them correct together.
 */
@RequiresPostgres
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PostgresConcurrencyTest {

  private static final int COLLECTORS = 4;
  private static final int EVENTS = 3_000;
  private static final int SESSIONS = 40;
  private static final String[] APPS = {"shop", "blog"};

  private PostgresTestSchema schema;
  private final List<PostgresEventStore> stores = new ArrayList<>();
  private final ExecutorService threads = Executors.newFixedThreadPool(COLLECTORS);

  @BeforeEach
  void createSchema() throws SQLException {
    schema = PostgresTestSchema.create();
    for (int i = 0; i < COLLECTORS; i++) {
      stores.add(PostgresEventStore.builder(schema.url()).startupTimeout(Duration.ZERO).build());
    }
  }

  @AfterEach
  void dropSchema() throws SQLException {
    threads.shutdownNow();
    stores.forEach(PostgresEventStore::close);
    schema.close();
  }

  @Test
  void collectorsOpeningAnEmptySchemaAtOnceAllSucceedAndMigrateOnce() throws Exception {
    CyclicBarrier start = new CyclicBarrier(COLLECTORS);
    List<Future<?>> opened = new ArrayList<>();
    for (int i = 0; i < COLLECTORS; i++) {
      PostgresEventStore store = stores.get(i);
      String app = "app" + i;
      opened.add(threads.submit((Callable<Void>) () -> {
        start.await();
        store.open(Set.of(app, "shared"));
        return null;
      }));
    }
    for (Future<?> f : opened) {
      f.get(60, TimeUnit.SECONDS);
    }

    assertThat(query("SELECT version FROM eye_schema_version")).containsExactly(List.of("1"));
    assertThat(query("SELECT app_id FROM applications ORDER BY app_id")).containsExactly(
        List.of("app0"), List.of("app1"), List.of("app2"), List.of("app3"), List.of("shared"));
    assertThat(stores).allSatisfy(s -> assertThat(s.isWritable()).isTrue());
  }

  @Test
  void collectorsWritingTheSameEventsAndSessionsAtOnceStoreEachOnceWithExactSessions()
      throws Exception {
    for (PostgresEventStore store : stores) {
      store.open(Set.of(APPS));
    }
    List<Sent> events = generateEvents(new Random(7));

    CyclicBarrier start = new CyclicBarrier(COLLECTORS);
    List<Future<int[]>> results = new ArrayList<>();
    for (int i = 0; i < COLLECTORS; i++) {
      PostgresEventStore store = stores.get(i);
      List<List<WriteRequest>> transactions = transactions(events, new Random(100 + i));
      results.add(threads.submit(() -> {
        start.await();
        int[] counts = new int[3];
        for (List<WriteRequest> transaction : transactions) {
          List<WriteOutcome> outcomes = store.write(transaction);
          for (int r = 0; r < outcomes.size(); r++) {
            counts[0] += outcomes.get(r).accepted();
            counts[1] += outcomes.get(r).duplicates();
            counts[2] += transaction.get(r).events().size();
          }
        }
        return counts;
      }));
    }
    int accepted = 0;
    for (Future<int[]> result : results) {
      int[] counts = result.get(80, TimeUnit.SECONDS);
      assertThat(counts[0] + counts[1]).as("accepted + duplicates = sent").isEqualTo(counts[2]);
      accepted += counts[0];
    }

    assertThat(accepted).as("accepted over all collectors").isEqualTo(EVENTS);
    assertThat(query("SELECT count(*), count(DISTINCT (app_id, event_id)) FROM events"))
        .containsExactly(List.of(Integer.toString(EVENTS), Integer.toString(EVENTS)));
    Map<String, List<String>> expected = new TreeMap<>();
    for (Sent s : events) {
      expected.merge(s.event.sessionId(),
          List.of(Timestamps.format(s.event.occurredAt()), Timestamps.format(s.event.occurredAt()), "1"),
          (a, b) -> List.of(min(a.get(0), b.get(0)), max(a.get(1), b.get(1)),
              Integer.toString(Integer.parseInt(a.get(2)) + 1)));
    }
    List<List<String>> expectedRows = new ArrayList<>();
    expected.forEach((session, row) -> {
      List<String> full = new ArrayList<>();
      full.add(session);
      full.addAll(row);
      expectedRows.add(full);
    });
    assertThat(query("SELECT session_id, first_seen_at, last_seen_at, event_count FROM sessions"
        + " ORDER BY session_id")).isEqualTo(expectedRows);
  }

  /** Unique events over a few sessions and both applications; the same event_id in both apps too. */
  private static List<Sent> generateEvents(Random random) {
    Instant base = Timestamps.parse("2024-03-01 10:00:00.000000");
    List<Sent> events = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      String app = APPS[i % 2];
      String session = String.format("session-%02d", random.nextInt(SESSIONS));
      Instant at = base.plusMillis(random.nextInt(3_600_000)).plusNanos(random.nextInt(1000) * 1000L);
      events.add(new Sent(app, new EventRow("event-" + (i / 2), session, "page interaction",
          "pageview", at, (long) i, "{\"i\":" + i + "}")));
    }
    return events;
  }

  /**
   * All events, shuffled, in transactions of one to four requests of up to 120 events; about one event
   * in twenty is repeated inside its request.
   */
  private static List<List<WriteRequest>> transactions(List<Sent> events, Random random) {
    Map<String, List<EventRow>> byApp = new TreeMap<>();
    for (Sent s : events) {
      byApp.computeIfAbsent(s.app, a -> new ArrayList<>()).add(s.event);
    }
    List<String> apps = new ArrayList<>(byApp.keySet());
    Map<String, Integer> next = new TreeMap<>();
    byApp.forEach((app, rows) -> {
      Collections.shuffle(rows, random);
      next.put(app, 0);
    });
    Instant receivedAt = Instant.parse("2024-03-01T11:00:00Z");
    List<List<WriteRequest>> transactions = new ArrayList<>();
    while (!apps.isEmpty()) {
      List<WriteRequest> transaction = new ArrayList<>();
      int requests = 1 + random.nextInt(4);
      for (int r = 0; r < requests && !apps.isEmpty(); r++) {
        String app = apps.get(random.nextInt(apps.size()));
        List<EventRow> source = byApp.get(app);
        int from = next.get(app);
        int to = Math.min(source.size(), from + 1 + random.nextInt(120));
        List<EventRow> rows = new ArrayList<>();
        for (EventRow row : source.subList(from, to)) {
          rows.add(row);
          if (random.nextInt(20) == 0) {
            rows.add(row);
          }
        }
        next.put(app, to);
        if (to == source.size()) {
          apps.remove(app);
        }
        transaction.add(new WriteRequest(app, receivedAt, rows, List.of()));
      }
      transactions.add(transaction);
    }
    return transactions;
  }

  private static String min(String a, String b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String max(String a, String b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private List<List<String>> query(String sql) throws SQLException {
    try (Connection c = schema.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<List<String>> rows = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getString(i));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  private record Sent(String app, EventRow event) {}
}
