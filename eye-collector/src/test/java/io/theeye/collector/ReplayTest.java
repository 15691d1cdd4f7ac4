package io.theeye.collector;

import static io.theeye.collector.TestSender.batch;
import static io.theeye.collector.TestSender.event;
import static io.theeye.collector.TestSender.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.collector.TestSender.Answer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code eye-collector.jar replay}: rejected events become events once their schema is fixed. */
@Timeout(120)
class ReplayTest extends CollectorTestSupport {

  private static final int SESSIONS = 10;
  private static final int EVENTS = 1_000;
  private static final String WRONG = """
      {"x-eye-event": {"category": "page interaction", "name": "pageview"},
       "type": "object", "required": ["hostname", "path"]}""";
  private static final String FIXED = WRONG.replace("hostname", "host");

  private Path wrongSchemas;
  private Path fixedSchemas;

  @BeforeEach
  void schemas() throws Exception {
    wrongSchemas = Files.createDirectory(tempDir.resolve("wrong"));
    Files.writeString(wrongSchemas.resolve("pageview.json"), WRONG);
    fixedSchemas = Files.createDirectory(tempDir.resolve("fixed"));
    Files.writeString(fixedSchemas.resolve("pageview.json"), FIXED);
  }

  /** Runs a subcommand in this JVM; its standard output and error. */
  private static String run(int expectedExit, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int exit = new CollectorMain(Map.of(), print, print).commandLine(args).execute(args);
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(text).isEqualTo(expectedExit);
    return text;
  }

  private static String timestamp(int i) {
    return "2021-01-01 09:%02d:%02d.%06d".formatted(i / 600, (i / 10) % 60, i % 10);
  }

  private static String session(int i) {
    return "s-" + (i % SESSIONS);
  }

  private static List<String> sessionOrder(int session) {
    return IntStream.range(0, EVENTS).filter(i -> i % SESSIONS == session).mapToObj(i -> "r-" + i).toList();
  }

  @Test
  void thousandEventsRejectedUnderAWrongSchemaBecomeEventsOnceInSessionOrder() throws Exception {
    Collector c = start(b -> b.schemas(wrongSchemas));
    TestSender sender = new TestSender(c);
    for (int from = 0; from < EVENTS; from += 100) {
      String[] events = IntStream.range(from, from + 100)
          .mapToObj(i -> event("r-" + i, session(i), "page interaction", "pageview", timestamp(i), (long) i,
              "{\"host\":\"www.ca.com\",\"path\":\"/\"}"))
          .toArray(String[]::new);
      assertThat(sender.post(KEY, SECRET, batch(events)).json().path("rejected").asInt()).isEqualTo(100);
    }
    assertThat(count("SELECT count(*) FROM rejected_events WHERE reason = 'schema_violation'")).isEqualTo(EVENTS);

    // A live sender keeps ingesting while the replays run against the same file.
    AtomicBoolean sending = new AtomicBoolean(true);
    AtomicInteger live = new AtomicInteger();
    ConcurrentLinkedQueue<String> notAccepted = new ConcurrentLinkedQueue<>();
    CompletableFuture<Void> liveSender = CompletableFuture.runAsync(() -> {
      for (int r = 0; sending.get(); r++) {
        Answer a = sender.post(KEY, SECRET, batch(event("live-" + r + "-a", "live", "page interaction", "cta click",
            timestamp(r), null, "{}"), event("live-" + r + "-b", "live", "page interaction", "cta click",
            timestamp(r), null, "{}")));
        if (a.status() != 202) {
          notAccepted.add(a.toString());
        }
        live.incrementAndGet();
      }
    });
    String[] replay = {"replay", "--db", db(), "--schemas", fixedSchemas.toString(), "--reason", "schema_violation",
        "--batch-size", "50"};
    String first;
    String second;
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> live.get() > 5);
      CompletableFuture<String> one = CompletableFuture.supplyAsync(() -> run(0, replay));
      CompletableFuture<String> two = CompletableFuture.supplyAsync(() -> run(0, replay));
      first = one.get(60, TimeUnit.SECONDS);
      second = two.get(60, TimeUnit.SECONDS);
      int sentDuringReplay = live.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> live.get() > sentDuringReplay + 5);
    } finally {
      sending.set(false);
      liveSender.get(30, TimeUnit.SECONDS);
    }
    assertThat(notAccepted).isEmpty();
    assertThat(first + second).contains("still failing 0");
    String again = run(0, replay);
    assertThat(again).contains("replay: matched 0 rejected row(s) not yet replayed")
        .contains("replay: replayed 0: 0 stored as events, 0 already stored");

    assertThat(count("SELECT count(*) FROM events WHERE event_id LIKE 'r-%'")).isEqualTo(EVENTS);
    assertThat(count("SELECT count(DISTINCT event_id) FROM events WHERE event_id LIKE 'r-%'")).isEqualTo(EVENTS);
    for (int s = 0; s < SESSIONS; s++) {
      assertThat(rows("SELECT event_id FROM events WHERE session_id = ? ORDER BY occurred_at, seq", "s-" + s))
          .extracting(r -> r.get("event_id")).containsExactlyElementsOf(sessionOrder(s));
      assertThat(rows("SELECT event_id FROM events WHERE session_id = ? ORDER BY id", "s-" + s))
          .extracting(r -> r.get("event_id")).containsExactlyElementsOf(sessionOrder(s));
    }
    assertThat(count("SELECT count(*) FROM rejected_events WHERE replayed_at IS NOT NULL"
        + " AND replayed_event_id = event_id")).isEqualTo(EVENTS);
    assertThat(count("SELECT count(*) FROM events AS e JOIN rejected_events AS r ON r.event_id = e.event_id"
        + " WHERE e.app_id = r.app_id AND e.received_at = r.received_at")).isEqualTo(EVENTS);
    assertThat(count("SELECT sum(event_count) FROM sessions WHERE session_id LIKE 's-%'")).isEqualTo(EVENTS);
    assertThat(count("SELECT count(*) FROM events WHERE event_id LIKE 'live-%'")).isEqualTo(2L * live.get());
  }

  @Test
  void rowsThatStillFailAreCountedByReasonAndADryRunChangesNothing() throws Exception {
    Collector c = start(b -> b.schemas(wrongSchemas).maxFutureSkew(Duration.ZERO));
    TestSender sender = new TestSender(c);
    sender.post(KEY, SECRET, batch(pageview("p-1", "s", "2021-01-01 09:00:00"),
        pageview("p-2", "s", "2021-01-01 09:00:01"),
        pageview("future-1", "s", "2999-01-01 09:00:00"),
        event(null, "s", "page interaction", "pageview", "2021-01-01 09:00:02", null, "{\"path\":\"/\"}")));
    sender.post(KEY, SECRET, "{not json");
    c.close();

    String dry = run(0, "replay", "--db", db(), "--schemas", fixedSchemas.toString(), "--dry-run");
    assertThat(dry).contains("replay (dry run): matched 5 rejected row(s) not yet replayed")
        .contains("replay (dry run): would replay 2")
        .contains("replay (dry run): still failing 3: future_timestamp 1, malformed_body 1, schema_violation 1");
    assertThat(count("SELECT count(*) FROM events")).isZero();
    assertThat(count("SELECT count(*) FROM rejected_events WHERE replayed_at IS NOT NULL")).isZero();

    String some = run(0, "replay", "--db", db(), "--schemas", fixedSchemas.toString(), "--type", "page interaction/pageview",
        "--since", "2000-01-01 00:00:00", "--app", APP);
    assertThat(some).contains("replay: matched 4 rejected row(s)").contains("replayed 2: 2 stored as events");
    assertThat(rows("SELECT event_id FROM events ORDER BY id")).extracting(r -> r.get("event_id"))
        .containsExactly("p-1", "p-2");
    assertThat(run(0, "replay", "--db", db(), "--schemas", fixedSchemas.toString(), "--until", "2000-01-01 00:00:00"))
        .contains("replay: matched 0");
    assertThat(run(2, "replay", "--db", db(), "--reason", "no_such_reason")).contains("unknown reason code: no_such_reason");
    assertThat(run(2, "replay", "--db", db(), "--type", "pageview")).contains("--type must be CATEGORY/NAME");
  }

  @Test
  void progressIsPrintedOnLongRuns() throws Exception {
    Collector c = start(b -> b.schemas(wrongSchemas));
    TestSender sender = new TestSender(c);
    List<String> events = new ArrayList<>();
    for (int r = 0; r < 11; r++) {
      events.clear();
      for (int i = 0; i < 1000; i++) {
        events.add(pageview("x-" + r + "-" + i, "s-" + r, "2021-01-01 09:00:00"));
      }
      sender.post(KEY, SECRET, batch(events.toArray(String[]::new)));
    }
    assertThat(run(0, "replay", "--db", db(), "--schemas", fixedSchemas.toString(), "--batch-size", "1000"))
        .contains("replay: 10000 row(s) examined, 10000 replayed, 0 still failing")
        .contains("replay: replayed 11000: 11000 stored as events");
  }
}
