package io.theeye.collector.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.theeye.collector.storage.EventRow;
import io.theeye.collector.storage.RejectedRow;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.WriteOutcome;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.model.Reason;
import io.theeye.model.Timestamps;
import io.theeye.testsupport.PostgresTestSchema;
import io.theeye.testsupport.RequiresPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

@RequiresPostgres
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PostgresEventStoreTest {

  static final String SESSION = "e2085be5-9137-4e4e-80b5-f1ffddc25423";
  static final Instant BRIEF_TIME = Timestamps.parse("2021-01-01 09:15:27.243860");
  static final Instant RECEIVED = Timestamps.parse("2021-01-01 09:15:28.000001");

  private PostgresTestSchema schema;
  private final List<PostgresEventStore> stores = new ArrayList<>();

  @BeforeEach
  void createSchema() throws SQLException {
    schema = PostgresTestSchema.create();
  }

  @AfterEach
  void dropSchema() throws SQLException {
    stores.forEach(PostgresEventStore::close);
    if (schema != null) {
      schema.close();
    }
  }

  @Test
  void briefExamplesComeBackFromTheSessionQueryInSendOrderAsContractText() throws Exception {
    PostgresEventStore store = open("shop");
    List<WriteOutcome> outcomes = store.write(List.of(
        request("shop", event("e1", SESSION, "page interaction", "pageview", BRIEF_TIME, null,
            "{\"host\":\"www.ca.com\",\"path\":\"/\"}")),
        request("shop", event("e2", SESSION, "page interaction", "cta click", BRIEF_TIME, null,
            "{\"host\":\"www.ca.com\",\"path\":\"/\",\"element\":\"chat bubble\"}")),
        request("shop", event("e3", SESSION, "form interaction", "submit", BRIEF_TIME, null,
            "{\"host\":\"www.ca.com\",\"path\":\"/\",\"form\":{\"first_name\":\"John\",\"last_name\":\"Doe\"}}"))));

    assertThat(outcomes).containsExactly(
        new WriteOutcome(1, 0), new WriteOutcome(1, 0), new WriteOutcome(1, 0));
    List<List<String>> rows = query("SELECT event_id, app_id, category, name, occurred_at,"
        + " received_at, data->>'path', data->'form'->>'last_name'"
        + " FROM events WHERE session_id = '" + SESSION + "' ORDER BY occurred_at, seq, id");
    assertThat(rows).containsExactly(
        List.of("e1", "shop", "page interaction", "pageview", "2021-01-01 09:15:27.243860",
            "2021-01-01 09:15:28.000001", "/", "null"),
        List.of("e2", "shop", "page interaction", "cta click", "2021-01-01 09:15:27.243860",
            "2021-01-01 09:15:28.000001", "/", "null"),
        List.of("e3", "shop", "form interaction", "submit", "2021-01-01 09:15:27.243860",
            "2021-01-01 09:15:28.000001", "/", "Doe"));
    assertThat(query("SELECT session_id, first_seen_at, last_seen_at, event_count FROM sessions"))
        .containsExactly(List.of(SESSION, "2021-01-01 09:15:27.243860", "2021-01-01 09:15:27.243860", "3"));
    assertThat(query("SELECT app_id FROM applications")).containsExactly(List.of("shop"));
  }

  @Test
  void seqBreaksTimestampTiesBeforeId() throws Exception {
    PostgresEventStore store = open("shop");
    store.write(List.of(request("shop",
        event("late", "s", "c", "n", BRIEF_TIME, 2L, "{}"),
        event("early", "s", "c", "n", BRIEF_TIME, 1L, "{}"),
        event("first", "s", "c", "n", BRIEF_TIME.minusNanos(1000), 9L, "{}"))));

    assertThat(column("SELECT event_id FROM events WHERE session_id = 's' ORDER BY occurred_at, seq, id"))
        .containsExactly("first", "early", "late");
  }

  @Test
  void duplicatesInsideARequestAcrossRequestsAndAcrossTransactionsAreStoredOnceAndCounted()
      throws Exception {
    PostgresEventStore store = open("shop", "blog");
    List<WriteOutcome> first = store.write(List.of(
        request("shop", ev("a"), ev("a"), ev("b")),
        request("shop", ev("a"), ev("c")),
        request("blog", ev("a"))));
    List<WriteOutcome> second = store.write(List.of(request("shop", ev("a"), ev("d"), ev("d"))));

    assertThat(first).containsExactly(
        new WriteOutcome(2, 1), new WriteOutcome(1, 1), new WriteOutcome(1, 0));
    assertThat(second).containsExactly(new WriteOutcome(1, 2));
    assertThat(column("SELECT app_id || ':' || event_id FROM events ORDER BY id"))
        .containsExactly("shop:a", "shop:b", "shop:c", "blog:a", "shop:d");
    assertThat(query("SELECT event_count FROM sessions")).containsExactly(List.of("5"));
  }

  @Test
  void idsGrowInIngestionOrderWhateverTheEventIds() throws Exception {
    PostgresEventStore store = open("shop");
    store.write(List.of(request("shop", ev("zz"), ev("mm")), request("shop", ev("aa"))));

    assertThat(column("SELECT event_id FROM events ORDER BY id")).containsExactly("zz", "mm", "aa");
  }

  @Test
  void sessionRowsSpanTheEarliestAndLatestOccurrenceWhateverTheArrivalOrder() throws Exception {
    PostgresEventStore store = open("shop");
    Instant t = Timestamps.parse("2024-05-01 12:00:00.000000");
    store.write(List.of(request("shop", event("1", "s", "c", "n", t, null, "{}"))));
    store.write(List.of(request("shop",
        event("2", "s", "c", "n", t.minusSeconds(60), null, "{}"),
        event("3", "s", "c", "n", t.plusSeconds(60), null, "{}"),
        event("1", "s", "c", "n", t.plusSeconds(3600), null, "{}"))));

    assertThat(query("SELECT first_seen_at, last_seen_at, event_count FROM sessions WHERE session_id = 's'"))
        .containsExactly(List.of("2024-05-01 11:59:00.000000", "2024-05-01 12:01:00.000000", "3"));
  }

  @Test
  void rejectedRowsOfEveryReasonAreStoredWithTheirRequest() throws Exception {
    PostgresEventStore store = open("shop");
    List<RejectedRow> rows = new ArrayList<>();
    for (Reason reason : Reason.values()) {
      rows.add(new RejectedRow(reason, "because " + reason.code(), "id-" + reason.code(), "s", "c",
          "n", "{\"raw\":true}"));
    }
    rows.add(new RejectedRow(Reason.MALFORMED_BODY, "not JSON", null, null, null, null, "{nope"));
    List<WriteOutcome> outcomes =
        store.write(List.of(new WriteRequest("shop", RECEIVED, List.of(), rows)));

    assertThat(outcomes).containsExactly(new WriteOutcome(0, 0));
    List<List<String>> stored = query("SELECT received_at, app_id, reason, detail, event_id, raw"
        + " FROM rejected_events ORDER BY id");
    assertThat(stored).hasSize(Reason.values().length + 1);
    for (int i = 0; i < Reason.values().length; i++) {
      Reason reason = Reason.values()[i];
      assertThat(stored.get(i)).containsExactly("2021-01-01 09:15:28.000001", "shop", reason.code(),
          "because " + reason.code(), "id-" + reason.code(), "{\"raw\":true}");
    }
    assertThat(stored.get(Reason.values().length)).containsExactly("2021-01-01 09:15:28.000001",
        "shop", "malformed_body", "not JSON", "null", "{nope");
  }

  @Test
  void whatPostgresCannotStoreBecomesARejectedRowInsteadOfFailingTheBatch() throws Exception {
    PostgresEventStore store = open("shop");
    List<WriteOutcome> outcomes = store.write(List.of(
        request("shop", ev("ok1"),
            event("nul-session", "s\0x", "c", "n", BRIEF_TIME, null, "{}"),
            event("nul-data", "s", "c", "n", BRIEF_TIME, null, "{\"a\":\"x\\u0000y\"}"),
            event("escaped-backslash", "s", "c", "n", BRIEF_TIME, null, "{\"a\":\"x\\\\u0000y\"}")),
        new WriteRequest("shop", RECEIVED, List.of(ev("ok2")), List.of(new RejectedRow(
            Reason.MALFORMED_BODY, "binary", null, null, null, null, "a\0b")))));

    assertThat(outcomes).containsExactly(new WriteOutcome(2, 0), new WriteOutcome(1, 0));
    assertThat(column("SELECT event_id FROM events ORDER BY id"))
        .containsExactly("ok1", "escaped-backslash", "ok2");
    assertThat(query("SELECT reason, event_id, detail FROM rejected_events ORDER BY id"))
        .containsExactly(
            List.of("malformed_event", "nul-session",
                "session_id contains the character U+0000, which PostgreSQL cannot store"),
            List.of("malformed_event", "nul-data",
                "data contains the character U+0000, which PostgreSQL jsonb cannot store"),
            List.of("malformed_body", "null", "binary"));
    assertThat(column("SELECT raw FROM rejected_events WHERE reason = 'malformed_body'"))
        .containsExactly("a\uFFFDb");
  }

  @Test
  void dataPostgresRefusesIsRejectedWithoutFailingTheRequestsItSharesATransactionWith() throws Exception {
    PostgresEventStore store = open("shop");
    List<WriteOutcome> outcomes = store.write(List.of(
        request("shop", ev("fine-1")),
        request("shop", event("refused", "s", "c", "n", BRIEF_TIME, null, "{not json"), ev("fine-2"))));

    assertThat(outcomes).containsExactly(new WriteOutcome(1, 0), new WriteOutcome(1, 0));
    assertThat(column("SELECT event_id FROM events ORDER BY id")).containsExactly("fine-1", "fine-2");
    assertThat(query("SELECT reason, event_id, detail FROM rejected_events")).containsExactly(
        List.of("malformed_event", "refused", "data cannot be stored as PostgreSQL jsonb"));
    assertThat(column("SELECT raw::jsonb ->> 'data' FROM rejected_events")).containsExactly("{not json");
    assertThat(store.isWritable()).isTrue();
  }

  @Test
  void timestampsSurviveExactlyToTheMicrosecondAtTheEdgesOfTheCalendar() throws Exception {
    PostgresEventStore store = open("shop");
    Instant[] times = {
        Timestamps.parse("0001-01-01 00:00:00.000000"),
        Timestamps.parse("1969-12-31 23:59:59.999999"),
        Timestamps.parse("2021-01-01 09:15:27.243861"),
        Timestamps.parse("9999-12-31 23:59:59.999999")};
    List<EventRow> events = new ArrayList<>();
    for (int i = 0; i < times.length; i++) {
      events.add(event("t" + i, "s" + i, "c", "n", times[i], null, "{}"));
    }
    store.write(List.of(new WriteRequest("shop", RECEIVED, events, List.of())));

    try (Connection c = schema.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT e.occurred_at, v.occurred_at FROM eye_events e"
            + " JOIN events v USING (id) ORDER BY e.event_id")) {
      for (Instant expected : times) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getObject(1, OffsetDateTime.class).toInstant()).isEqualTo(expected);
        assertThat(rs.getString(2)).isEqualTo(Timestamps.format(expected));
      }
    }
  }

  @Test
  void reopeningKeepsTheDataAndTheSchemaVersion() throws Exception {
    PostgresEventStore first = open("shop");
    first.write(List.of(request("shop", ev("a"))));
    first.close();

    PostgresEventStore second = open("shop", "blog");
    List<WriteOutcome> outcomes = second.write(List.of(request("shop", ev("a")), request("blog", ev("a"))));

    assertThat(outcomes).containsExactly(new WriteOutcome(0, 1), new WriteOutcome(1, 0));
    assertThat(column("SELECT version::text FROM eye_schema_version")).containsExactly("1");
    assertThat(column("SELECT app_id FROM applications ORDER BY app_id")).containsExactly("blog", "shop");
  }

  @Test
  void aSchemaNewerThanTheCollectorIsRefusedWithAClearMessage() throws Exception {
    open("shop").close();
    schema.execute("INSERT INTO eye_schema_version (version, description) VALUES (99, 'future')");

    PostgresEventStore store = store(schema.url());
    assertThatThrownBy(() -> store.open(Set.of("shop")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("version 99, newer than this collector knows (1)");
  }

  @Test
  void aMissingSchemaIsNamedInTheError() {
    PostgresEventStore store = store(PostgresTestSchema.SERVER_URL + "&currentSchema=eye_no_such_schema");
    assertThatThrownBy(() -> store.open(Set.of("shop")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("eye_no_such_schema")
        .hasMessageContaining("CREATE SCHEMA");
  }

  @Test
  void thePasswordIsNeverInTheDescriptionErrorsOrLogs() throws Exception {
    String secret = "s3cr3t-Pa55";
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level level = root.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    root.setLevel(Level.DEBUG);
    try {
      passwordStaysSecret(secret);
    } finally {
      root.detachAppender(logs);
      root.setLevel(level);
    }
    assertThat(logs.list).isNotEmpty().allSatisfy(event -> {
      assertThat(event.getFormattedMessage()).doesNotContain(secret);
      if (event.getThrowableProxy() != null) {
        assertThat(event.getThrowableProxy().getMessage()).doesNotContain(secret);
      }
    });
  }

  private void passwordStaysSecret(String secret) {
    PostgresEventStore withUrlPassword = PostgresEventStore.builder(
            "jdbc:postgresql://127.0.0.1:1/test?user=eye&password=" + secret + "&sslmode=disable")
        .startupTimeout(Duration.ZERO).connectTimeout(Duration.ofMillis(500)).build();
    PostgresEventStore withBuilderPassword = PostgresEventStore.builder("jdbc:postgresql://127.0.0.1:1/test")
        .user("eye").password(secret).startupTimeout(Duration.ZERO)
        .connectTimeout(Duration.ofMillis(500)).build();
    stores.add(withUrlPassword);
    stores.add(withBuilderPassword);

    assertThat(withUrlPassword.describe())
        .isEqualTo("PostgreSQL jdbc:postgresql://127.0.0.1:1/test?user=eye&password=***&sslmode=disable")
        .doesNotContain(secret);
    assertThat(withBuilderPassword.describe()).doesNotContain(secret).endsWith(" as eye");
    for (PostgresEventStore store : List.of(withUrlPassword, withBuilderPassword)) {
      assertThatThrownBy(() -> store.open(Set.of("shop")))
          .isInstanceOf(StorageException.class)
          .satisfies(e -> assertThat(stackTraceText(e)).doesNotContain(secret));
    }
  }

  @Test
  void explainShowsIndexScansForTheThreeUseCaseQueries() throws Exception {
    open("shop").close();
    // Enough rows that the planner prefers the indexes on its own (enable_seqscan stays on).
    schema.execute("INSERT INTO eye_events (app_id, event_id, session_id, category, name,"
        + " occurred_at, received_at, seq, data)"
        + " SELECT 'shop', 'e' || i, 's' || (i % 5000), 'category ' || (i % 20), 'name',"
        + " timestamptz '2021-01-01 00:00:00+00' + i * interval '1 second', now(), i, '{}'"
        + " FROM generate_series(1, 60000) AS i; ANALYZE eye_events");

    String session = plan("SELECT * FROM events WHERE session_id = 's42' ORDER BY occurred_at, seq, id");
    String category = plan("SELECT * FROM events WHERE category = 'category 7'"
        + " AND occurred_at BETWEEN '2021-01-01 01:00:00.000000' AND '2021-01-01 02:00:00.000000'");
    String range = plan("SELECT * FROM events"
        + " WHERE occurred_at BETWEEN '2021-01-01 01:00:00.000000' AND '2021-01-01 01:10:00.000000'");

    // Which index and which access (index scan, or bitmap scan + sort of a few rows) the planner picks
    // depends on the statistics; what matters is that an index answers and the table is not scanned.
    String index = "(Index Scan using|Bitmap Index Scan on) ";
    assertThat(session).containsPattern(index + "eye_events_session_idx").doesNotContain("Seq Scan");
    assertThat(category).containsPattern(index + "eye_events_(category_)?time_idx")
        .doesNotContain("Seq Scan");
    assertThat(range).containsPattern(index + "eye_events_time_idx").doesNotContain("Seq Scan");
  }

  @Test
  void everyReasonCodeIsAllowedByTheSchema() throws Exception {
    open("shop").close();
    String check = column("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
        + " WHERE conrelid = 'eye_rejected_events'::regclass AND contype = 'c'").get(0);
    assertThat(Arrays.stream(Reason.values()).map(Reason::code)).allSatisfy(code ->
        assertThat(check).contains("'" + code + "'"));
  }

  private PostgresEventStore open(String... apps) throws StorageException {
    PostgresEventStore store = store(schema.url());
    store.open(Set.of(apps));
    return store;
  }

  private PostgresEventStore store(String url) {
    PostgresEventStore store = PostgresEventStore.builder(url).startupTimeout(Duration.ZERO).build();
    stores.add(store);
    return store;
  }

  static EventRow ev(String id) {
    return event(id, "s", "c", "n", BRIEF_TIME, null, "{}");
  }

  static EventRow event(String id, String session, String category, String name, Instant at, Long seq,
      String data) {
    return new EventRow(id, session, category, name, at, seq, data);
  }

  static WriteRequest request(String app, EventRow... events) {
    return new WriteRequest(app, RECEIVED, List.of(events), List.of());
  }

  private String plan(String sql) throws SQLException {
    return String.join("\n", column("EXPLAIN " + sql));
  }

  private List<String> column(String sql) throws SQLException {
    return query(sql).stream().map(r -> r.get(0)).toList();
  }

  private List<List<String>> query(String sql) throws SQLException {
    try (Connection c = schema.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<List<String>> rows = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(String.valueOf(rs.getString(i)));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  private static String stackTraceText(Throwable t) {
    java.io.StringWriter out = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }
}
