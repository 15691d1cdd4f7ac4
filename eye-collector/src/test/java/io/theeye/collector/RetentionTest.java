package io.theeye.collector;

import static io.theeye.collector.TestSender.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.collector.storage.EventRow;
import io.theeye.collector.storage.RejectedRow;
import io.theeye.collector.storage.WriteRequest;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteSync;
import io.theeye.model.Reason;
import io.theeye.model.Timestamps;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Retention: expired rows go in small steps while the collector serves; the rest stays exact. */
@Timeout(120)
class RetentionTest extends CollectorTestSupport {

  private static final int PER_HOUR = 30;
  private static final String TS = "2021-01-01 09:15:27.243860";

  /**
   * Two days of history written through the store as the collector would have: each hour 30 events
   * (10 in that hour's own session, 20 in one session that spans both days) and one rejected row.
   */
  private void writeTwoDays(Instant now) throws Exception {
    try (SqliteEventStore store = new SqliteEventStore(Path.of(db()), SqliteSync.NORMAL)) {
      store.open(Set.of(APP));
      List<WriteRequest> requests = new ArrayList<>();
      for (int hoursAgo = 48; hoursAgo >= 1; hoursAgo--) {
        Instant received = now.minus(hoursAgo, ChronoUnit.HOURS).plus(30, ChronoUnit.MINUTES);
        List<EventRow> events = new ArrayList<>();
        for (int i = 0; i < PER_HOUR; i++) {
          String session = i < 10 ? "hour-" + hoursAgo : "long";
          events.add(new EventRow("h" + hoursAgo + "-" + i, session, "page interaction", "pageview",
              received.minusMillis(PER_HOUR - i), (long) i, "{}"));
        }
        requests.add(new WriteRequest(APP, received, events, List.of(new RejectedRow(Reason.SCHEMA_VIOLATION,
            "test", "r" + hoursAgo, "long", "page interaction", "pageview", "{}"))));
      }
      store.write(requests);
    }
  }

  @Test
  void aOneHourWindowOverTwoDaysDeletesTheOldRowsAndKeepsTheRestAndTheSessionsExact() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    writeTwoDays(now);
    Collector c = start(b -> b.retainEvents(Duration.ofHours(1)).retainRejected(Duration.ofHours(1)));
    TestSender sender = new TestSender(c);
    for (int i = 0; i < 20; i++) {
      assertThat(sender.post(KEY, SECRET, pageview("live-" + i, "long", TS)).status()).isEqualTo(202);
    }
    String cutoff = Timestamps.format(now.minus(1, ChronoUnit.HOURS));
    await().atMost(Duration.ofSeconds(30)).until(() ->
        count("SELECT count(*) FROM events WHERE received_at < ?", cutoff) == 0
            && count("SELECT count(*) FROM rejected_events WHERE received_at < ?", cutoff) == 0);

    // Kept: the last hour's 30 events (1 h 30 min ago is expired, 30 min ago is not) and the live ones.
    assertThat(rows("SELECT event_id FROM events WHERE event_id LIKE 'h%' ORDER BY id")).extracting(r -> r.get("event_id"))
        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, PER_HOUR).mapToObj(i -> "h1-" + i).toList());
    assertThat(count("SELECT count(*) FROM events WHERE event_id LIKE 'live-%'")).isEqualTo(20);
    assertThat(rows("SELECT event_id FROM rejected_events")).extracting(r -> r.get("event_id")).containsExactly("r1");
    // Sessions: those of expired hours are gone, the long one counts what is left.
    assertThat(rows("SELECT session_id FROM sessions ORDER BY session_id")).extracting(r -> r.get("session_id"))
        .containsExactly("hour-1", "long");
    assertThat(rows("SELECT event_count, first_seen_at FROM sessions WHERE session_id = 'long'")).singleElement()
        .satisfies(r -> {
          assertThat(((Number) r.get("event_count")).longValue()).isEqualTo(20 + 20);
          assertThat(r.get("first_seen_at")).isEqualTo(TS);
        });
    assertThat(rows("PRAGMA foreign_key_check")).isEmpty();
    String metrics = sender.get("/metrics").body();
    assertThat(metrics).contains("eye_retention_deleted_total{table=\"events\"} " + (47.0 * PER_HOUR))
        .contains("eye_retention_deleted_total{table=\"sessions\"} 47.0")
        .contains("eye_retention_deleted_total{table=\"rejected_events\"} 47.0");
    // The writer keeps taking events for a session whose cached key it deleted.
    assertThat(sender.post(KEY, SECRET, pageview("after", "hour-1", TS)).status()).isEqualTo(202);
  }

  @Test
  void retentionWindowsParseAndBadOnesStopTheStart() {
    assertThat(CollectorMain.retention("--retain-events", "30d")).isEqualTo(Duration.ofDays(30));
    assertThat(CollectorMain.retention("--retain-events", "12h")).isEqualTo(Duration.ofHours(12));
    assertThat(CollectorMain.retention("--retain-events", "PT90M")).isEqualTo(Duration.ofMinutes(90));
    for (String bad : List.of("0d", "soon", "-1h")) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
      String[] args = {"--port", "0", "--db", db(), "--retain-rejected", bad};
      CollectorMain main = new CollectorMain(Map.of(), print, print);
      assertThat(main.commandLine(args).execute(args)).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("--retain-rejected must be");
      assertThat(main.collector()).isNull();
    }
  }
}
