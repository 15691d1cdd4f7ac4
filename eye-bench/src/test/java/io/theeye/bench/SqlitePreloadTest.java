package io.theeye.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.storage.sqlite.SqliteSync;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlitePreloadTest {

  @TempDir Path dir;

  @Test
  void preloadTopsTheFileUpToTheTargetThroughTheStore() throws Exception {
    Path file = dir.resolve("bench.db");

    assertThat(SqlitePreload.preload(file, 2_500, SqliteSync.NORMAL, 1)).isEqualTo(2_500);
    assertThat(SqlitePreload.preload(file, 3_000, SqliteSync.NORMAL, 1)).isEqualTo(3_000);
    assertThat(SqlitePreload.preload(file, 1_000, SqliteSync.NORMAL, 1)).isEqualTo(3_000);

    assertThat(scalar(file, "SELECT count(*) FROM events")).isEqualTo(3_000);
    assertThat(scalar(file, "SELECT sum(event_count) FROM sessions")).isEqualTo(3_000);
    assertThat(scalar(file, "SELECT count(*) FROM applications")).isEqualTo(3);
    assertThat(scalar(file, "SELECT count(*) FROM events WHERE occurred_at > strftime('%Y-%m-%d %H:%M:%f', 'now')"))
        .isZero();
  }

  @Test
  void aHistoryWithAnEndAndAStepSpreadsReceivedAtOverItsSpan() throws Exception {
    Path file = dir.resolve("history.db");
    Instant end = Instant.parse("2026-12-01T12:00:00Z");

    // 4,800 events a minute apart: 80 hours before the end, received in 1,000-event requests.
    SqlitePreload.preload(file, 4_800, SqliteSync.NORMAL, 1, end, Duration.ofMinutes(1));

    assertThat(scalar(file, "SELECT count(*) FROM events WHERE received_at > '2026-12-01 12:00:00.000000'")).isZero();
    assertThat(scalar(file, "SELECT count(*) FROM events WHERE received_at < '2026-11-28 04:00:00'")).isZero();
    assertThat(scalar(file, "SELECT count(*) FROM events WHERE received_at < '2026-11-28 21:00:00'"))
        .isEqualTo(1_000);
    assertThat(scalar(file, "SELECT count(DISTINCT received_at) FROM events")).isEqualTo(5);
  }

  @Test
  void aMissingFileCountsAsEmpty() throws Exception {
    assertThat(SqlitePreload.countEvents(dir.resolve("none.db"))).isZero();
  }

  /** The single number {@code sql} returns from {@code file}, read over a connection of its own. */
  private static long scalar(Path file, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
