package io.theeye.collector.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteSync;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every console query is answered from an index, on a database whose statistics say it holds 10M events
 * and 100k rejected rows: the planner chooses as it would on such a file ({@code sqlite_stat1} is what
 * {@code ANALYZE} leaves behind; writing it is SQLite's documented way to plan for data one does not
 * have). A full scan of {@code eye_event} or {@code eye_rejected} fails the test.
 */
class ConsoleQueryPlanTest {

  /** A plan step reading one of the two big tables (under any of the console's aliases) without an index. */
  private static final Pattern FULL_SCAN = Pattern.compile("^SCAN (eye_event|eye_rejected|e|r|l)( |$)");

  @TempDir Path dir;
  private SqliteConsoleQueries queries;

  @BeforeEach
  void tenMillionEvents() throws Exception {
    Path file = dir.resolve("eye.db");
    try (SqliteEventStore store = new SqliteEventStore(file, SqliteSync.NORMAL)) {
      store.open(Set.of("shop", "blog"));
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("ANALYZE");
      s.execute("DELETE FROM sqlite_stat1");
      String[][] stats = {
          {"eye_event", null, "10000000"},
          {"eye_event", "eye_event_app_event_id", "10000000 5000000 1"},
          {"eye_event", "eye_event_session", "10000000 50 2"},
          {"eye_event", "eye_event_type_time", "10000000 500000 2"},
          {"eye_event", "eye_event_time", "10000000 2"},
          {"eye_session", null, "200000"},
          {"eye_session", "sqlite_autoindex_eye_session_1", "200000 1"},
          {"eye_event_type", null, "20"},
          {"eye_event_type", "sqlite_autoindex_eye_event_type_1", "20 4 1"},
          {"eye_app", null, "2"},
          {"eye_app", "sqlite_autoindex_eye_app_1", "2 1"},
          {"eye_rejected", null, "100000"},
          {"eye_rejected", "eye_rejected_received", "100000 2"},
          {"eye_rejected", "eye_rejected_app", "100000 50000"},
          {"eye_rejected", "eye_rejected_type", "100000 20000 5000"},
          {"eye_rejected", "eye_rejected_reason", "100000 15000 7500 2000 500"},
      };
      for (String[] stat : stats) {
        s.execute("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('" + stat[0] + "', "
            + (stat[1] == null ? "NULL" : "'" + stat[1] + "'") + ", '" + stat[2] + "')");
      }
    }
    // Statistics are read when a connection opens: the console's opens after they were written.
    queries = new SqliteConsoleQueries(file);
  }

  @AfterEach
  void close() {
    queries.close();
  }

  private List<String> plan(String sql, Object... params) throws Exception {
    List<String> steps = queries.plan(sql, params);
    assertThat(steps).as(sql).noneMatch(step -> FULL_SCAN.matcher(step).find());
    return steps;
  }

  @Test
  void theErrorsPageReadsTheTimeIndexOfRejections() throws Exception {
    assertThat(plan(SqliteConsoleQueries.ERRORS, "2026-01-01 00:00:00.000000", "2026-01-02 00:00:00.000000"))
        .anyMatch(step -> step.contains("USING INDEX eye_rejected_received (received_at>? AND received_at<?)"))
        .anyMatch(step -> step.startsWith("SEARCH l USING INTEGER PRIMARY KEY (rowid=?)"));
  }

  @Test
  void theEventTypesPageCountsFromIndexes() throws Exception {
    assertThat(plan(SqliteConsoleQueries.EVENTS_OF_TYPE, 1))
        .anyMatch(step -> step.contains("USING COVERING INDEX eye_event_type_time (type_key=?)"));
    assertThat(plan(SqliteConsoleQueries.REJECTED_OF_TYPE, "page interaction", "pageview"))
        .anyMatch(step -> step.contains("USING COVERING INDEX eye_rejected_type (category=? AND name=?)"));
    plan(SqliteConsoleQueries.TYPES);
  }

  @Test
  void theApplicationsPageFindsUnknownTypesByIndex() throws Exception {
    assertThat(plan(SqliteConsoleQueries.EVENTS_OF_TYPE_BY_APP, 1))
        .anyMatch(step -> step.contains("USING INDEX eye_event_type_time (type_key=?)"));
    assertThat(plan(SqliteConsoleQueries.REJECTED_BY_REASON, "unknown_event_type"))
        .anyMatch(step -> step.contains("USING COVERING INDEX eye_rejected_reason (reason=?)"));
    plan(SqliteConsoleQueries.APPLICATIONS);
  }

  @Test
  void theLiveTailReadsOnlyRowsNewerThanItsCursor() throws Exception {
    for (Object[] filters : List.of(new Object[] {null, null, null, null},
        new Object[] {"shop", "page interaction", "pageview", "e2085be5-9137-4e4e-80b5-f1ffddc25423"})) {
      assertThat(plan(SqliteConsoleQueries.TAIL_EVENTS, 9_900_000L, filters[0], filters[1], filters[2], filters[3]))
          .anyMatch(step -> step.startsWith("SEARCH e USING INTEGER PRIMARY KEY (rowid>?)"));
      assertThat(plan(SqliteConsoleQueries.TAIL_REJECTED, 99_000L, filters[0], filters[1], filters[2], filters[3]))
          .anyMatch(step -> step.startsWith("SEARCH r USING INTEGER PRIMARY KEY (rowid>?)"));
    }
    assertThat(plan(SqliteConsoleQueries.MAX_EVENT_ID)).allMatch(step -> step.startsWith("SEARCH"));
    assertThat(plan(SqliteConsoleQueries.MAX_REJECTED_ID)).allMatch(step -> step.startsWith("SEARCH"));
  }
}
