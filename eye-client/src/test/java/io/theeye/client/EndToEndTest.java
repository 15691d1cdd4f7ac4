package io.theeye.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.Collector;
import io.theeye.model.Timestamps;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client against the real collector, on port 0, writing a real SQLite file. */
@Timeout(90)
class EndToEndTest {

  private static final String APP = "shop";
  private static final String KEY_ID = "shop-web-1";
  private static final String SECRET = "end-to-end-secret";
  private static final String BRIEF_SESSION = "e2085be5-9137-4e4e-80b5-f1ffddc25423";

  @TempDir
  Path dir;

  private Collector startCollector(Path db) throws Exception {
    return Collector.builder().port(0).db(db).app(APP, KEY_ID, SECRET).start();
  }

  private static EyeClient.Builder clientFor(Collector collector) {
    return EyeClient.builder()
        .endpoint(collector.uri().toString())
        .keyId(KEY_ID)
        .secret(SECRET);
  }

  @Test
  void storesEveryEventExactlyOnceAndEachSessionInTrackingOrder() throws Exception {
    Path db = dir.resolve("eye.db");
    List<String> sessions = new ArrayList<>();
    for (int s = 0; s < 100; s++) {
      sessions.add(UUID.randomUUID().toString());
    }

    EyeCounters counters;
    try (Collector collector = startCollector(db)) {
      // Room for the whole burst: the test tracks far faster than any application would.
      EyeClient eye = clientFor(collector).maxQueueEvents(20_000).build();
      // The product brief's three events: one session, one shared timestamp.
      Instant briefTime = Timestamps.parse("2021-01-01 09:15:27.243860");
      Map<String, Object> submitted = new LinkedHashMap<>();
      submitted.put("host", "www.ca.com");
      submitted.put("path", "/");
      submitted.put("form", Map.of("first_name", "John", "last_name", "Doe"));
      assertThat(eye.track(BRIEF_SESSION, "page interaction", "pageview",
          Map.of("host", "www.ca.com", "path", "/"), briefTime)).isTrue();
      assertThat(eye.track(BRIEF_SESSION, "page interaction", "cta click",
          Map.of("host", "www.ca.com", "path", "/", "element", "chat bubble"), briefTime)).isTrue();
      assertThat(eye.track(BRIEF_SESSION, "form interaction", "submit", submitted, briefTime)).isTrue();
      // 10,000 more, interleaved across 100 sessions; "step" numbers each session's events.
      for (int i = 0; i < 10_000; i++) {
        String session = sessions.get(i % sessions.size());
        assertThat(eye.track(session, "page interaction", "pageview",
            Map.of("host", "www.ca.com", "path", "/products/" + i, "step", i / sessions.size()))).isTrue();
      }
      eye.flush().get(60, TimeUnit.SECONDS);
      assertThat(eye.close(Duration.ofSeconds(10))).isZero();
      counters = eye.counters();
    }

    assertThat(counters.tracked()).isEqualTo(10_003);
    assertThat(counters.acknowledged()).isEqualTo(10_003);
    assertThat(counters.accepted()).isEqualTo(10_003);
    assertThat(counters.duplicates()).isZero();
    assertThat(counters.rejected()).isZero();
    assertThat(counters.failed()).isZero();

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      assertThat(single(c, "SELECT count(*) FROM events")).isEqualTo(10_003L);
      assertThat(single(c, "SELECT count(DISTINCT event_id) FROM events")).isEqualTo(10_003L);
      assertThat(single(c, "SELECT count(*) FROM rejected_events")).isZero();

      assertThat(column(c, "SELECT name FROM events WHERE session_id = ? ORDER BY occurred_at, seq, id",
          BRIEF_SESSION)).containsExactly("pageview", "cta click", "submit");
      assertThat(column(c, "SELECT DISTINCT occurred_at FROM events WHERE session_id = ?", BRIEF_SESSION))
          .containsExactly("2021-01-01 09:15:27.243860");
      assertThat(column(c, "SELECT json_extract(data, '$.form.first_name') FROM events "
          + "WHERE session_id = ? AND name = 'submit'", BRIEF_SESSION)).containsExactly("John");

      List<String> inOrder = new ArrayList<>();
      for (int step = 0; step < 100; step++) {
        inOrder.add(String.valueOf(step));
      }
      for (String session : sessions) {
        assertThat(column(c, "SELECT json_extract(data, '$.step') FROM events WHERE session_id = ? "
            + "ORDER BY occurred_at, seq, id", session)).as("session %s", session).isEqualTo(inOrder);
      }
      assertThat(column(c, "SELECT DISTINCT event_count FROM sessions WHERE session_id <> ?", BRIEF_SESSION))
          .containsExactly("100");
    }
  }

  @Test
  void aReplayedEventIsStoredOnceAndReportedAsADuplicate() throws Exception {
    Path db = dir.resolve("replay.db");
    EyeEvent event = EyeEvent.builder()
        .sessionId(BRIEF_SESSION)
        .category("form interaction")
        .name("submit")
        .eventId("order-42-submitted")
        .put("host", "www.ca.com")
        .put("path", "/checkout")
        .put("form", Map.of("first_name", "John"))
        .build();

    EyeCounters counters;
    try (Collector collector = startCollector(db)) {
      try (EyeClient first = clientFor(collector).build()) {
        first.track(event);
      }
      // Another client (e.g. the application after a restart) sends the same event again.
      try (EyeClient second = clientFor(collector).build()) {
        second.track(event);
        second.flush().get(10, TimeUnit.SECONDS);
        counters = second.counters();
      }
    }

    assertThat(counters.acknowledged()).isEqualTo(1);
    assertThat(counters.duplicates()).isEqualTo(1);
    assertThat(counters.accepted()).isZero();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      assertThat(single(c, "SELECT count(*) FROM events WHERE event_id = 'order-42-submitted'")).isEqualTo(1L);
    }
  }

  private static long single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> column(Connection c, String sql, String param) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, param);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }
}
