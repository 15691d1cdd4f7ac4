package io.theeye.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.storage.EventRow;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.collector.storage.postgres.PostgresEventStore;
import io.theeye.testsupport.PostgresTestSchema;
import io.theeye.testsupport.RequiresPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@RequiresPostgres
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PostgresPreloadTest {

  private PostgresTestSchema schema;

  @BeforeEach
  void createSchema() throws SQLException {
    schema = PostgresTestSchema.create();
  }

  @AfterEach
  void dropSchema() throws SQLException {
    schema.close();
  }

  @Test
  void preloadFillsTheSchemaAndRestoresEveryIndexAndConstraint() throws Exception {
    try (PostgresEventStore store = PostgresEventStore.builder(schema.url()).build()) {
      store.open(new HashSet<>(SyntheticTraffic.APP_IDS));
    }
    List<String> fresh = definitions();

    assertThat(PostgresPreload.preload(schema.url(), null, null, 5_000, 42)).isEqualTo(5_000);
    assertThat(PostgresPreload.preload(schema.url(), null, null, 7_000, 42)).isEqualTo(7_000);

    assertThat(definitions()).isEqualTo(fresh);
    assertThat(one("SELECT sum(event_count) FROM sessions")).isEqualTo("7000");
    assertThat(one("SELECT count(*) FROM sessions s JOIN (SELECT session_id, count(*) n, min(occurred_at) f,"
        + " max(occurred_at) l FROM events GROUP BY session_id) e USING (session_id)"
        + " WHERE s.event_count <> e.n OR s.first_seen_at <> e.f OR s.last_seen_at <> e.l")).isEqualTo("0");
    assertThat(one("SELECT max(occurred_at) < to_char(now() AT TIME ZONE 'UTC' - interval '59 minutes',"
        + " 'YYYY-MM-DD HH24:MI:SS') FROM events")).isEqualTo("t");
    // The store still deduplicates against the preloaded rows: the constraint is back.
    String existing = one("SELECT event_id FROM eye_events WHERE app_id = 'bench-shop' LIMIT 1");
    try (PostgresEventStore store = PostgresEventStore.builder(schema.url()).build()) {
      store.open(new HashSet<>(SyntheticTraffic.APP_IDS));
      WriteRequest again = new WriteRequest("bench-shop", Instant.now(), List.of(
          new SyntheticTraffic(1, Instant.now(), Duration.ZERO).nextEvent()), List.of());
      WriteRequest duplicate = new WriteRequest("bench-shop", Instant.now(), List.of(
          new EventRow(existing, "s", "c", "n", Instant.now(), null, "{}")),
          List.of());
      assertThat(store.write(List.of(again, duplicate)))
          .containsExactly(new WriteOutcome(1, 0), new WriteOutcome(0, 1));
    }
  }

  /** Every index and constraint definition on eye_events, sorted. */
  private List<String> definitions() throws SQLException {
    Set<String> defs = new HashSet<>();
    try (Connection c = schema.connect(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE tablename = 'eye_events'"
          + " AND schemaname = current_schema()")) {
        while (rs.next()) {
          defs.add(rs.getString(1));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
          + " WHERE conrelid = 'eye_events'::regclass")) {
        while (rs.next()) {
          defs.add(rs.getString(1));
        }
      }
    }
    List<String> sorted = new ArrayList<>(defs);
    sorted.sort(String::compareTo);
    return sorted;
  }

  private String one(String sql) throws SQLException {
    try (Connection c = schema.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
