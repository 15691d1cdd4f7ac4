package io.theeye.collector.storage.sqlite;

import static io.theeye.collector.storage.TestRows.RECEIVED;
import static io.theeye.collector.storage.TestRows.event;
import static io.theeye.collector.storage.TestRows.query;
import static io.theeye.collector.storage.TestRows.reader;
import static io.theeye.collector.storage.TestRows.request;
import static io.theeye.collector.storage.TestRows.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theeye.collector.storage.RejectedRow;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.model.Reason;
import io.theeye.model.Timestamps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SqliteEventStoreTest {

  static final String SESSION_QUERY = "SELECT * FROM events WHERE session_id = ? ORDER BY occurred_at, seq, id";
  static final String CATEGORY_QUERY = "SELECT * FROM events WHERE category = ? AND occurred_at BETWEEN ? AND ?";
  static final String TIME_QUERY = "SELECT * FROM events WHERE occurred_at BETWEEN ? AND ?";

  @TempDir Path dir;
  Path file;
  SqliteEventStore store;

  @BeforeEach
  void openStore() throws StorageException {
    file = dir.resolve("eye.db");
    store = new SqliteEventStore(file, SqliteSync.FULL);
    store.open(Set.of("shop", "blog"));
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void storesEventsAsTheContractViewPresentsThem() throws Exception {
    WriteRequest request = new WriteRequest("shop", Timestamps.parse("2021-01-01 09:15:28.5"),
        List.of(event("e-1", "s-1", "page interaction", "pageview", "2021-01-01 09:15:27.243860", 3L,
            "{\"host\":\"www.ca.com\",\"path\":\"/\"}")), List.of());

    assertThat(store.write(List.of(request))).containsExactly(new WriteOutcome(1, 0));

    assertThat(query(file, "SELECT id, event_id, app_id, session_id, category, name, occurred_at,"
        + " received_at, seq, data, json_extract(data, '$.path') FROM events"))
        .containsExactly(List.of("1", "e-1", "shop", "s-1", "page interaction", "pageview",
            "2021-01-01 09:15:27.243860", "2021-01-01 09:15:28.500000", "3",
            "{\"host\":\"www.ca.com\",\"path\":\"/\"}", "/"));
  }

  @Test
  void nullSeqIsStoredAsNull() throws Exception {
    store.write(List.of(request("shop", event("e-1", "s-1", "page interaction", "pageview",
        "2021-01-01 09:15:27", null, "{}"))));

    assertThat(query(file, "SELECT seq IS NULL FROM events")).containsExactly(List.of("1"));
  }

  @Test
  void stringsBeginningWithNulAreStoredLikeAnyOther() throws Exception {
    // JSON allows "\u0000"; SQLite's length() stops at the first NUL, so a naive CHECK would refuse
    // such an event and with it every request of the same transaction.
    String nul = "\u0000";
    List<WriteOutcome> outcomes = store.write(List.of(request("shop",
        event(nul + "e", nul + "s", nul + "c", nul + "n", "2021-01-01 09:00:00", 0L, "{\"k\":\"" + nul + "\"}"),
        event("e-2", "s-2", "2021-01-01 09:00:00"))));

    assertThat(outcomes).containsExactly(new WriteOutcome(2, 0));
    assertThat(query(file, "SELECT event_id, session_id, category, name FROM events ORDER BY id").get(0))
        .containsExactly(nul + "e", nul + "s", nul + "c", nul + "n");
  }

  @Test
  void duplicateInsideOneRequestIsCountedOnceAsAcceptedThenAsDuplicate() throws Exception {
    List<WriteOutcome> outcomes = store.write(List.of(request("shop",
        event("e-1", "s-1", "2021-01-01 09:00:00"),
        event("e-1", "s-1", "2021-01-01 09:00:01"),
        event("e-2", "s-1", "2021-01-01 09:00:02"),
        event("e-1", "s-1", "2021-01-01 09:00:03"))));

    assertThat(outcomes).containsExactly(new WriteOutcome(2, 2));
    assertThat(query(file, "SELECT event_id, occurred_at FROM events ORDER BY id")).containsExactly(
        List.of("e-1", "2021-01-01 09:00:00.000000"), List.of("e-2", "2021-01-01 09:00:02.000000"));
  }

  @Test
  void duplicateAcrossRequestsOfOneTransactionCountsForTheLaterRequest() throws Exception {
    List<WriteOutcome> outcomes = store.write(List.of(
        request("shop", event("e-1", "s-1", "2021-01-01 09:00:00")),
        request("shop", event("e-1", "s-1", "2021-01-01 09:00:00"), event("e-2", "s-1", "2021-01-01 09:00:00"))));

    assertThat(outcomes).containsExactly(new WriteOutcome(1, 0), new WriteOutcome(1, 1));
    assertThat(scalar(file, "SELECT count(*) FROM events")).isEqualTo(2);
  }

  @Test
  void duplicateAcrossTransactionsIsNotStoredAgain() throws Exception {
    store.write(List.of(request("shop", event("e-1", "s-1", "2021-01-01 09:00:00"))));

    List<WriteOutcome> outcomes = store.write(List.of(request("shop",
        event("e-1", "s-1", "2021-01-01 10:00:00"), event("e-3", "s-1", "2021-01-01 10:00:00"))));

    assertThat(outcomes).containsExactly(new WriteOutcome(1, 1));
    assertThat(query(file, "SELECT event_id FROM events ORDER BY id"))
        .containsExactly(List.of("e-1"), List.of("e-3"));
    assertThat(query(file, "SELECT first_seen_at, last_seen_at, event_count FROM sessions"))
        .containsExactly(List.of("2021-01-01 09:00:00.000000", "2021-01-01 10:00:00.000000", "2"));
  }

  @Test
  void sameEventIdFromTwoApplicationsIsTwoEvents() throws Exception {
    List<WriteOutcome> outcomes = store.write(List.of(
        request("shop", event("e-1", "s-1", "2021-01-01 09:00:00")),
        request("blog", event("e-1", "s-1", "2021-01-01 09:00:00"))));

    assertThat(outcomes).containsExactly(new WriteOutcome(1, 0), new WriteOutcome(1, 0));
    assertThat(query(file, "SELECT app_id FROM events ORDER BY id")).containsExactly(List.of("shop"), List.of("blog"));
  }

  @Test
  void sessionRowsAreExactAcrossOutOfOrderEventsApplicationsAndTransactions() throws Exception {
    store.write(List.of(
        request("shop", event("a", "s-1", "2021-01-01 09:00:05"), event("b", "s-1", "2021-01-01 09:00:01")),
        request("blog", event("a", "s-1", "2021-01-01 09:00:09"), event("c", "s-2", "2021-01-01 08:00:00"))));
    store.write(List.of(
        request("blog", event("d", "s-1", "2021-01-01 08:59:59.999999")),
        request("shop", event("a", "s-1", "2021-01-01 07:00:00")))); // a duplicate: must not move first_seen_at

    assertThat(query(file, "SELECT session_id, first_seen_at, last_seen_at, event_count FROM sessions ORDER BY session_id"))
        .containsExactly(
            List.of("s-1", "2021-01-01 08:59:59.999999", "2021-01-01 09:00:09.000000", "4"),
            List.of("s-2", "2021-01-01 08:00:00.000000", "2021-01-01 08:00:00.000000", "1"));
    assertThat(query(file, "SELECT s.event_count = (SELECT count(*) FROM events e WHERE e.session_id = s.session_id),"
        + " s.first_seen_at = (SELECT min(occurred_at) FROM events e WHERE e.session_id = s.session_id),"
        + " s.last_seen_at = (SELECT max(occurred_at) FROM events e WHERE e.session_id = s.session_id)"
        + " FROM sessions s")).containsOnly(List.of("1", "1", "1"));
  }

  @Test
  void aDuplicateCarryingAnotherSessionIdCreatesNoSession() throws Exception {
    store.write(List.of(request("shop", event("e-1", "s-1", "2021-01-01 09:00:00"))));

    List<WriteOutcome> outcomes = store.write(List.of(request("shop", event("e-1", "s-other", "2021-01-01 09:00:00"))));
    store.write(List.of(request("shop", event("e-2", "s-other", "2021-01-01 09:30:00"))));

    assertThat(outcomes).containsExactly(new WriteOutcome(0, 1));
    assertThat(query(file, "SELECT session_id, event_count FROM sessions ORDER BY session_id"))
        .containsExactly(List.of("s-1", "1"), List.of("s-other", "1"));
  }

  @Test
  void idGrowsInIngestionOrder() throws Exception {
    store.write(List.of(request("shop", event("z", "s-1", "2021-01-01 09:00:00"), event("a", "s-1", "2020-01-01 09:00:00"))));
    store.write(List.of(request("blog", event("m", "s-2", "2019-01-01 09:00:00"))));

    assertThat(query(file, "SELECT event_id FROM events ORDER BY id"))
        .containsExactly(List.of("z"), List.of("a"), List.of("m"));
  }

  @Test
  void theSessionQueryReturnsEventsInOccurrenceOrderWithSeqBreakingTies() throws Exception {
    String t = "2021-01-01 09:15:27.243860";
    store.write(List.of(request("shop",
        event("3", "s-1", "form interaction", "submit", t, 2L, "{}"),
        event("1", "s-1", "page interaction", "pageview", t, 0L, "{}"),
        event("x", "s-2", "page interaction", "pageview", t, 0L, "{}"),
        event("2", "s-1", "page interaction", "cta click", t, 1L, "{}"))));

    assertThat(query(file, "SELECT event_id FROM (" + SESSION_QUERY + ")", "s-1"))
        .containsExactly(List.of("1"), List.of("2"), List.of("3"));
  }

  @Test
  void categoryAndTimeRangeQueriesFindTheirEvents() throws Exception {
    store.write(List.of(request("shop",
        event("1", "s-1", "page interaction", "pageview", "2021-01-01 09:00:00", 0L, "{}"),
        event("2", "s-1", "form interaction", "submit", "2021-01-01 09:30:00", 1L, "{}"),
        event("3", "s-2", "page interaction", "cta click", "2021-01-01 10:30:00", 0L, "{}"))));

    assertThat(query(file, "SELECT event_id FROM (" + CATEGORY_QUERY + ") ORDER BY event_id",
        "page interaction", "2021-01-01 08:00:00", "2021-01-01 10:00:00")).containsExactly(List.of("1"));
    assertThat(query(file, "SELECT event_id FROM (" + TIME_QUERY + ") ORDER BY event_id",
        "2021-01-01 09:00:00", "2021-01-01 09:59:59")).containsExactly(List.of("1"), List.of("2"));
  }

  @Test
  void theThreeUseCaseQueriesUseIndexesAndNeverScanTheEvents() throws Exception {
    for (String sql : List.of(SESSION_QUERY, CATEGORY_QUERY, TIME_QUERY)) {
      Object[] args = sql.chars().filter(c -> c == '?').mapToObj(c -> "x").toArray();
      List<String> plan = query(file, "EXPLAIN QUERY PLAN " + sql, args).stream()
          .map(row -> row.get(3)).toList();

      assertThat(plan).as(sql).anyMatch(line -> line.matches("SEARCH e USING (COVERING )?INDEX .*"));
      assertThat(plan).as(sql).noneMatch(line -> line.startsWith("SCAN"));
    }
  }

  @Test
  void rejectedRowsAreStoredWithTheRequestsApplicationAndReceiptTime() throws Exception {
    WriteRequest request = new WriteRequest("blog", RECEIVED, List.of(event("ok", "s-1", "2021-01-01 09:00:00")),
        List.of(new RejectedRow(Reason.INVALID_TIMESTAMP, "timestamp \"yesterday\" is not a date", "e-9", "s-1",
            "page interaction", "pageview", "{\"timestamp\":\"yesterday\"}"),
            new RejectedRow(Reason.MALFORMED_BODY, "not JSON", null, null, null, null, "garbage")));

    assertThat(store.write(List.of(request))).containsExactly(new WriteOutcome(1, 0));

    assertThat(query(file, "SELECT id, received_at, app_id, reason, detail, event_id, session_id, category,"
        + " name, raw FROM rejected_events ORDER BY id")).containsExactly(
        List.of("1", "2021-01-01 10:00:00.000000", "blog", "invalid_timestamp",
            "timestamp \"yesterday\" is not a date", "e-9", "s-1", "page interaction", "pageview",
            "{\"timestamp\":\"yesterday\"}"),
        java.util.Arrays.asList("2", "2021-01-01 10:00:00.000000", "blog", "malformed_body", "not JSON",
            null, null, null, null, "garbage"));
  }

  @Test
  void everyConfiguredApplicationIsListed() throws Exception {
    assertThat(query(file, "SELECT app_id FROM applications ORDER BY app_id"))
        .containsExactly(List.of("blog"), List.of("shop"));
  }

  @Test
  void anUnconfiguredApplicationIsRecordedWhenItWrites() throws Exception {
    store.write(List.of(request("late", event("e-1", "s-1", "2021-01-01 09:00:00"))));

    assertThat(query(file, "SELECT app_id FROM applications ORDER BY app_id"))
        .containsExactly(List.of("blog"), List.of("late"), List.of("shop"));
  }

  @Test
  void aNewFileGetsTheLatestSchemaVersion() throws Exception {
    assertThat(scalar(file, "PRAGMA user_version")).isEqualTo(SqliteSchema.latestVersion()).isEqualTo(4);
    assertThat(query(file, "PRAGMA journal_mode")).containsExactly(List.of("wal"));
  }

  @Test
  void anEmptyExistingFileIsMigrated() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.db"));
    try (SqliteEventStore other = new SqliteEventStore(empty, SqliteSync.NORMAL)) {
      other.open(Set.of("shop"));
      other.write(List.of(request("shop", event("e-1", "s-1", "2021-01-01 09:00:00"))));
    }

    assertThat(scalar(empty, "PRAGMA user_version")).isEqualTo(SqliteSchema.latestVersion());
    assertThat(scalar(empty, "SELECT count(*) FROM events")).isEqualTo(1);
  }

  @Test
  void reopeningKeepsDataAndContinuesSessionsAndDedupe() throws Exception {
    store.write(List.of(request("shop", event("e-1", "s-1", "2021-01-01 09:00:00"))));
    store.close();

    store = new SqliteEventStore(file, SqliteSync.FULL);
    store.open(Set.of("shop"));
    List<WriteOutcome> outcomes = store.write(List.of(request("shop",
        event("e-1", "s-1", "2021-01-01 09:00:00"), event("e-2", "s-1", "2021-01-01 09:05:00"))));

    assertThat(outcomes).containsExactly(new WriteOutcome(1, 1));
    assertThat(scalar(file, "PRAGMA user_version")).isEqualTo(SqliteSchema.latestVersion());
    assertThat(query(file, "SELECT session_id, event_count, last_seen_at FROM sessions"))
        .containsExactly(List.of("s-1", "2", "2021-01-01 09:05:00.000000"));
    assertThat(query(file, "SELECT app_id FROM applications ORDER BY app_id"))
        .containsExactly(List.of("blog"), List.of("shop"));
  }

  @Test
  void aVersion1FileIsMigratedWithItsSessionsAndEventsIntact() throws Exception {
    store.close();
    Path old = dir.resolve("v1.db");
    try (Connection c = reader(old); Statement s = c.createStatement()) {
      for (String sql : SqliteSchema.MIGRATIONS.get(0).statements()) {
        s.execute(sql);
      }
      s.execute("PRAGMA user_version = 1");
      s.execute("INSERT INTO eye_app (app_key, app_id) VALUES (1, 'shop')");
      s.execute("INSERT INTO eye_event_type (type_key, category, name) VALUES (1, 'page interaction', 'pageview')");
      s.execute("INSERT INTO eye_session VALUES (7, 's-1', '2021-01-01 09:00:00.000000',"
          + " '2021-01-01 09:05:00.000000', 2)");
      s.execute("INSERT INTO eye_event (app_key, event_id, session_key, type_key, occurred_at, received_at, seq, data)"
          + " VALUES (1, 'e-1', 7, 1, '2021-01-01 09:00:00.000000', '2021-01-01 09:10:00.000000', 0, '{}'),"
          + " (1, 'e-2', 7, 1, '2021-01-01 09:05:00.000000', '2021-01-01 09:10:00.000000', 1, '{}')");
    }

    store = new SqliteEventStore(old, SqliteSync.FULL);
    store.open(Set.of("shop"));
    List<WriteOutcome> outcomes = store.write(List.of(request("shop",
        event("e-2", "s-1", "2021-01-01 09:05:00"), event("e-3", "s-1", "2021-01-01 08:55:00"))));

    assertThat(scalar(old, "PRAGMA user_version")).isEqualTo(SqliteSchema.latestVersion());
    assertThat(outcomes).containsExactly(new WriteOutcome(1, 1));
    assertThat(query(old, "SELECT session_id, first_seen_at, last_seen_at, event_count FROM sessions"))
        .containsExactly(List.of("s-1", "2021-01-01 08:55:00.000000", "2021-01-01 09:05:00.000000", "3"));
    assertThat(query(old, "SELECT event_id FROM events WHERE session_id = 's-1' ORDER BY occurred_at, seq, id"))
        .containsExactly(List.of("e-3"), List.of("e-1"), List.of("e-2"));
    assertThat(query(old, "PRAGMA foreign_key_check")).isEmpty();
  }

  @Test
  void aFileFromANewerSchemaVersionIsRefused() throws Exception {
    store.close();
    try (Connection c = reader(file); Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = 99");
    }

    SqliteEventStore newer = new SqliteEventStore(file, SqliteSync.FULL);
    assertThatThrownBy(() -> newer.open(Set.of("shop")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("schema version 99");
    assertThat(newer.isWritable()).isFalse();
  }

  @Test
  void aReaderKeepsReadingItsSnapshotWhileTheStoreCommits() throws Exception {
    store.write(List.of(request("shop", event("e-1", "s-1", "2021-01-01 09:00:00"))));
    try (Connection analyst = reader(file); Statement s = analyst.createStatement()) {
      s.execute("BEGIN");
      assertThat(query(analyst, "SELECT count(*) FROM events")).containsExactly(List.of("1"));

      // The analyst's open read transaction does not block the writer ...
      store.write(List.of(request("shop", event("e-2", "s-1", "2021-01-01 09:01:00"))));

      // ... and keeps its consistent snapshot until it ends.
      assertThat(query(analyst, "SELECT count(*) FROM events")).containsExactly(List.of("1"));
      s.execute("COMMIT");
      assertThat(query(analyst, "SELECT count(*) FROM events")).containsExactly(List.of("2"));
    }
  }

  @Test
  @Timeout(30)
  void analystsQueryWhileTheStoreIsWritingWithoutErrorsOrTornReads() throws Exception {
    int transactions = 40;
    AtomicBoolean writing = new AtomicBoolean(true);
    CompletableFuture<Integer> reads = CompletableFuture.supplyAsync(() -> {
      int count = 0;
      long last = 0;
      try (Connection analyst = reader(file)) {
        while (writing.get() || count == 0) {
          List<List<String>> row = query(analyst, "SELECT (SELECT count(*) FROM events),"
              + " (SELECT coalesce(sum(event_count), 0) FROM sessions)");
          long events = Long.parseLong(row.get(0).get(0));
          // Each read sees one committed state: events and session counts always agree.
          assertThat(Long.parseLong(row.get(0).get(1))).isEqualTo(events);
          assertThat(events).isGreaterThanOrEqualTo(last).isEqualTo(events - events % 10);
          last = events;
          count++;
        }
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      return count;
    });
    for (int t = 0; t < transactions; t++) {
      List<io.theeye.collector.storage.EventRow> rows = new java.util.ArrayList<>();
      for (int e = 0; e < 10; e++) {
        rows.add(event("t" + t + "-" + e, "s-" + (e % 3), "2021-01-01 09:00:00"));
      }
      store.write(List.of(new WriteRequest("shop", RECEIVED, rows, List.of())));
    }
    writing.set(false);

    assertThat(reads.get()).isPositive();
    assertThat(scalar(file, "SELECT count(*) FROM events")).isEqualTo(transactions * 10L);
  }

  @Test
  void aWriteFailsCleanlyWhileAnotherConnectionHoldsTheWriteLockAndSucceedsAfter() throws Exception {
    store.close();
    store = new SqliteEventStore(file, SqliteSync.FULL, Duration.ofMillis(50));
    store.open(Set.of("shop"));
    try (Connection other = reader(file); Statement s = other.createStatement()) {
      s.execute("BEGIN IMMEDIATE");

      assertThatThrownBy(() -> store.write(List.of(request("shop", event("e-1", "s-1", "2021-01-01 09:00:00")))))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("SQLITE_BUSY");
      assertThat(store.isWritable()).isFalse();

      s.execute("ROLLBACK");
    }

    assertThat(store.write(List.of(request("shop", event("e-1", "s-1", "2021-01-01 09:00:00")))))
        .containsExactly(new WriteOutcome(1, 0));
    assertThat(store.isWritable()).isTrue();
    assertThat(query(file, "SELECT event_count FROM sessions")).containsExactly(List.of("1"));
  }

  @Test
  void aFailedTransactionLeavesNothingBehind() throws Exception {
    WriteRequest good = request("shop", event("e-1", "s-new", "2021-01-01 09:00:00"));
    WriteRequest bad = new WriteRequest("shop", RECEIVED, List.of(),
        List.of(new RejectedRow(Reason.MALFORMED_EVENT, null, null, null, null, null, "{}")));

    assertThatThrownBy(() -> store.write(List.of(good, bad)))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("NOT NULL constraint failed: eye_rejected.detail");

    assertThat(scalar(file, "SELECT count(*) FROM events")).isZero();
    assertThat(scalar(file, "SELECT count(*) FROM sessions")).isZero();
    // The session key allocated inside the failed transaction is not remembered.
    assertThat(store.write(List.of(good))).containsExactly(new WriteOutcome(1, 0));
    assertThat(query(file, "SELECT session_id, event_count FROM sessions")).containsExactly(List.of("s-new", "1"));
  }

  @Test
  void theSchemaItselfRefusesWhatWouldBreakTheContract() throws Exception {
    store.write(List.of(request("shop", event("e-1", "s-1", "2021-01-01 09:00:00"))));
    try (Connection other = reader(file); Statement s = other.createStatement()) {
      s.execute("PRAGMA foreign_keys = ON");
      List<String> violations = List.of(
          // a second copy of (app, event_id)
          "INSERT INTO eye_event (app_key, event_id, session_key, type_key, occurred_at, received_at, seq, data)"
              + " SELECT app_key, event_id, session_key, type_key, occurred_at, received_at, seq, data FROM eye_event",
          // a session that still has events, or one without an id
          "DELETE FROM eye_session",
          "INSERT INTO eye_session (session_id) VALUES ('')",
          "UPDATE eye_event SET seq = -1",
          "UPDATE eye_event SET occurred_at = '2021-01-01T09:00:00Z'",
          "UPDATE eye_event SET data = '[1, 2]'",
          "UPDATE eye_event SET session_key = 999",
          "INSERT INTO eye_rejected (received_at, app_key, reason, detail)"
              + " VALUES ('2021-01-01 09:00:00.000000', 1, 'bad_mood', 'x')",
          "INSERT INTO eye_event_type (category, name) VALUES ('', 'x')");
      for (String sql : violations) {
        assertThatThrownBy(() -> s.execute(sql)).as(sql).isInstanceOf(SQLException.class)
            .hasMessageContaining("constraint failed");
      }
    }
  }

  @Test
  void writingAfterCloseFails() {
    store.close();
    store.close();

    assertThat(store.isWritable()).isFalse();
    assertThatThrownBy(() -> store.write(List.of(request("shop", event("e-1", "s-1", "2021-01-01 09:00:00")))))
        .isInstanceOf(StorageException.class).hasMessageContaining("closed");
  }

  @Test
  void fullLeavesTheFsyncToSyncWhichFailsOnceClosed() throws Exception {
    assertThat(store.syncsSeparately()).isTrue();
    store.write(List.of(request("shop", event("e-1", "s-1", "2021-01-01 09:00:00"))));

    store.sync();
    store.sync();

    store.close();
    assertThatThrownBy(store::sync).isInstanceOf(StorageException.class).hasMessageContaining("closed");
  }

  @Test
  void normalSyncsNothing() throws Exception {
    try (SqliteEventStore normal = new SqliteEventStore(dir.resolve("normal.db"), SqliteSync.NORMAL)) {
      normal.open(Set.of("shop"));
      assertThat(normal.syncsSeparately()).isFalse();
      normal.sync();
    }
  }

  @Test
  void describeNamesTheFileAndSyncMode() {
    assertThat(store.describe()).contains(file.getFileName().toString()).contains("synchronous=full");
  }
}
