package io.theeye.collector.storage.sqlite;

import static io.theeye.collector.storage.TestRows.event;
import static io.theeye.collector.storage.TestRows.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.storage.RejectedRow;
import io.theeye.collector.storage.TestRows;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.model.Reason;
import io.theeye.testsupport.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian 12 ships SQLite 3.40: analysts' tools on it must read the file the collector writes. Runs the
 * system's {@code /usr/bin/sqlite3} against a file written by the store.
 */
@Timeout(60)
class SqliteCliCompatibilityTest {

  static final Path CLI = Path.of("/usr/bin/sqlite3");

  @TempDir static Path dir;
  static Path file;

  @BeforeAll
  static void writeAFile() throws Exception {
    Requirements.requireExecutable(CLI);
    file = dir.resolve("eye.db");
    try (SqliteEventStore store = new SqliteEventStore(file, SqliteSync.FULL)) {
      store.open(Set.of("shop"));
      store.write(List.of(
          request("shop",
              event("1", "s-1", "page interaction", "pageview", "2021-01-01 09:15:27.243860", 0L,
                  "{\"host\":\"www.ca.com\",\"path\":\"/\"}"),
              event("2", "s-1", "page interaction", "cta click", "2021-01-01 09:15:27.243860", 1L,
                  "{\"host\":\"www.ca.com\",\"path\":\"/\",\"element\":\"chat bubble\"}"),
              event("3", "s-1", "form interaction", "submit", "2021-01-01 09:15:27.243860", 2L,
                  "{\"host\":\"www.ca.com\",\"path\":\"/\",\"form\":{\"first_name\":\"John\"}}")),
          new WriteRequest("shop", TestRows.RECEIVED, List.of(), List.of(new RejectedRow(
              Reason.FUTURE_TIMESTAMP, "too far ahead", "4", "s-1", "page interaction", "pageview", "{}")))));
    }
  }

  @Test
  void theSystemCliIsDebian12sOrOlderOrTheTestIsMoot() throws Exception {
    // Documents which version this test ran against; the checks below are what matter.
    assertThat(sqlite("SELECT sqlite_version();")).matches("3\\.\\d+\\.\\d+\\n");
  }

  @Test
  void integrityCheckPasses() throws Exception {
    assertThat(sqlite("PRAGMA integrity_check; PRAGMA foreign_key_check;")).isEqualTo("ok\n");
  }

  @Test
  void theThreeUseCaseQueriesRunAndUseIndexes() throws Exception {
    assertThat(sqlite("SELECT event_id, app_id, json_extract(data, '$.path') FROM events"
        + " WHERE session_id = 's-1' ORDER BY occurred_at, seq, id;"))
        .isEqualTo("1|shop|/\n2|shop|/\n3|shop|/\n");
    assertThat(sqlite("SELECT event_id FROM events WHERE category = 'page interaction'"
        + " AND occurred_at BETWEEN '2021-01-01 00:00:00' AND '2021-01-02 00:00:00' ORDER BY id;"))
        .isEqualTo("1\n2\n");
    assertThat(sqlite("SELECT count(*) FROM events"
        + " WHERE occurred_at BETWEEN '2021-01-01 00:00:00' AND '2021-01-02 00:00:00';"))
        .isEqualTo("3\n");

    String plans = sqlite("EXPLAIN QUERY PLAN SELECT * FROM events WHERE session_id = 'x' ORDER BY occurred_at, seq, id;"
        + "EXPLAIN QUERY PLAN SELECT * FROM events WHERE category = 'x' AND occurred_at BETWEEN 'a' AND 'b';"
        + "EXPLAIN QUERY PLAN SELECT * FROM events WHERE occurred_at BETWEEN 'a' AND 'b';");
    assertThat(plans).doesNotContain("SCAN").contains("SEARCH e USING INDEX");
  }

  @Test
  void theOtherRelationsRead() throws Exception {
    assertThat(sqlite("SELECT session_id, first_seen_at, last_seen_at, event_count FROM sessions;"))
        .isEqualTo("s-1|2021-01-01 09:15:27.243860|2021-01-01 09:15:27.243860|3\n");
    assertThat(sqlite("SELECT app_id, reason, event_id FROM rejected_events;"))
        .isEqualTo("shop|future_timestamp|4\n");
    assertThat(sqlite("SELECT app_id FROM applications;")).isEqualTo("shop\n");
  }

  private static String sqlite(String sql) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(CLI.toString(), "-batch", file.toString(), sql)
        .redirectErrorStream(true)
        .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }
}
