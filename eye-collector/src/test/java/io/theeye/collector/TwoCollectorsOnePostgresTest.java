package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.TestSender.Answer;
import io.theeye.testsupport.PostgresTestSchema;
import io.theeye.testsupport.RequiresPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two collectors on different ports share one PostgreSQL schema. Senders of two applications post to
 * both at once, every batch deliberately to both, into the same sessions: each event is stored once,
 * the duplicates are counted exactly, session rows are exact, and nothing fails.
 */
@RequiresPostgres
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TwoCollectorsOnePostgresTest {

  private static final String[][] APPS = {
      {"shop", "shop-key-1", "shop-secret-0123456789abcdef"},
      {"blog", "blog-key-1", "blog-secret-0123456789abcdef"}};
  private static final int SENDERS = 4;
  private static final int REQUESTS_PER_SENDER = 30;
  private static final int EVENTS_PER_REQUEST = 25;
  private static final int SESSIONS = 6;

  private PostgresTestSchema schema;
  private final List<Collector> collectors = new ArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(SENDERS * 2);

  @BeforeEach
  void startTwoCollectors() throws Exception {
    schema = PostgresTestSchema.create();
    // Both start at once against the empty schema: the migration is serialized by the database.
    List<CompletableFuture<Collector>> starting = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      starting.add(CompletableFuture.supplyAsync(() -> {
        Collector.Builder b = Collector.builder().port(0).db(schema.url() + "&password=never-shown");
        for (String[] app : APPS) {
          b.app(app[0], app[1], app[2]);
        }
        try {
          return b.start();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, pool));
    }
    for (CompletableFuture<Collector> c : starting) {
      collectors.add(c.get(60, TimeUnit.SECONDS));
    }
  }

  @AfterEach
  void stop() throws SQLException {
    pool.shutdownNow();
    collectors.forEach(Collector::close);
    schema.close();
  }

  @Test
  void sameEventsSentToBothCollectorsAreStoredOnceWithExactSessions() throws Exception {
    TestSender a = new TestSender(collectors.get(0));
    TestSender b = new TestSender(collectors.get(1));
    assertThat(collectors.get(0).port()).isNotEqualTo(collectors.get(1).port());
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger duplicates = new AtomicInteger();
    List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    Map<String, List<String>> sentBySession = new TreeMap<>();

    List<CompletableFuture<Void>> senders = new ArrayList<>();
    for (int t = 0; t < SENDERS; t++) {
      String[] app = APPS[t % APPS.length];
      List<String> bodies = new ArrayList<>();
      for (int r = 0; r < REQUESTS_PER_SENDER; r++) {
        List<String> events = new ArrayList<>();
        for (int e = 0; e < EVENTS_PER_REQUEST; e++) {
          String session = "session-" + ((t + e) % SESSIONS);
          String ts = String.format("2024-03-01 10:%02d:%02d.%06d", r, e, t);
          events.add(TestSender.pageview("t" + t + "-r" + r + "-e" + e, session, ts));
          sentBySession.computeIfAbsent(session, s -> new ArrayList<>()).add(ts);
        }
        bodies.add(TestSender.batch(events.toArray(String[]::new)));
      }
      senders.add(CompletableFuture.runAsync(() -> {
        for (String body : bodies) {
          // The same request to both collectors at the same moment.
          CompletableFuture<Answer> toA = CompletableFuture.supplyAsync(() -> postUntilAccepted(a, app, body, unexpected), pool);
          Answer fromB = postUntilAccepted(b, app, body, unexpected);
          for (Answer answer : List.of(toA.join(), fromB)) {
            accepted.addAndGet(answer.json().path("accepted").asInt());
            duplicates.addAndGet(answer.json().path("duplicates").asInt());
          }
        }
      }, pool));
    }
    CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(80, TimeUnit.SECONDS);

    int unique = SENDERS * REQUESTS_PER_SENDER * EVENTS_PER_REQUEST;
    assertThat(unexpected).as("answers other than 202 or 503 overloaded").isEmpty();
    assertThat(accepted.get()).as("accepted over both collectors").isEqualTo(unique);
    assertThat(duplicates.get()).as("each event's second copy").isEqualTo(unique);
    assertThat(query("SELECT count(*), count(DISTINCT (app_id, event_id)) FROM events"))
        .containsExactly(List.of(Integer.toString(unique), Integer.toString(unique)));

    List<List<String>> expectedSessions = new ArrayList<>();
    sentBySession.forEach((session, times) -> expectedSessions.add(List.of(session,
        times.stream().min(String::compareTo).orElseThrow(),
        times.stream().max(String::compareTo).orElseThrow(),
        Integer.toString(times.size()))));
    assertThat(query("SELECT session_id, first_seen_at, last_seen_at, event_count FROM sessions"
        + " ORDER BY session_id")).isEqualTo(expectedSessions);
    for (Collector c : collectors) {
      assertThat(new TestSender(c).get("/metrics").body()).contains("eye_writer_failures_total 0.0");
    }
  }

  /**
   * Posts until a 202. Only {@code 503 overloaded} (with Retry-After) may come back meanwhile; anything
   * else is recorded as unexpected.
   */
  private static Answer postUntilAccepted(TestSender sender, String[] app, String body, List<String> unexpected) {
    for (int attempt = 0; attempt < 100; attempt++) {
      Answer answer = sender.post(app[1], app[2], body);
      if (answer.status() == 202) {
        return answer;
      }
      if (answer.status() != 503 || !answer.error().equals("overloaded") || answer.retryAfter().isEmpty()) {
        unexpected.add(answer.toString());
      }
    }
    throw new AssertionError("no 202 after 100 attempts");
  }

  private List<List<String>> query(String sql) throws SQLException {
    try (Connection c = schema.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
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
}
