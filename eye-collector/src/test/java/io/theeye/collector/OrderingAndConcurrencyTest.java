package io.theeye.collector;

import static io.theeye.testsupport.BriefExamples.CTA_CLICK;
import static io.theeye.testsupport.BriefExamples.PAGEVIEW;
import static io.theeye.testsupport.BriefExamples.SUBMIT;
import static io.theeye.collector.TestSender.batch;
import static io.theeye.collector.TestSender.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.TestSender.Answer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The documented session query returns events in the order they occurred, under concurrent senders too. */
@Timeout(120)
class OrderingAndConcurrencyTest extends CollectorTestSupport {

  private static final String SESSION_QUERY = "SELECT * FROM events WHERE session_id = ? ORDER BY occurred_at, seq, id";

  /** The product brief's three example events, verbatim (trailing commas included). */
  @Test
  void briefExamplesComeBackInSendOrder() throws Exception {
    Collector c = start();
    TestSender sender = new TestSender(c);
    for (String example : List.of(PAGEVIEW, CTA_CLICK, SUBMIT)) {
      Answer a = sender.post(KEY, SECRET, example);
      assertThat(a.status()).as(a.toString()).isEqualTo(202);
      assertThat(a.json().path("accepted").asInt()).as("validated by the bundled schemas: " + a).isEqualTo(1);
    }
    List<Map<String, Object>> events = rows(SESSION_QUERY, "e2085be5-9137-4e4e-80b5-f1ffddc25423");
    assertThat(events).extracting(r -> r.get("name")).containsExactly("pageview", "cta click", "submit");
    assertThat(events).extracting(r -> r.get("occurred_at")).containsOnly("2021-01-01 09:15:27.243860");
    assertThat(rows("SELECT json_extract(data, '$.form.first_name') AS first FROM events WHERE name = 'submit'"))
        .extracting(r -> r.get("first")).containsExactly("John");
  }

  @Test
  void seqBreaksTimestampTies() throws Exception {
    Collector c = start();
    String ts = "2021-01-01 09:15:27.243860";
    String data = "{\"host\":\"h\",\"path\":\"/\"}";
    Answer a = new TestSender(c).post(KEY, SECRET, batch(
        event("third", "tie", "page interaction", "pageview", ts, 2L, data),
        event("first", "tie", "page interaction", "pageview", ts, 0L, data),
        event("second", "tie", "page interaction", "pageview", ts, 1L, data),
        event("earlier", "tie", "page interaction", "pageview", "2021-01-01 09:15:27.243859", 9L, data)));
    assertThat(a.json().path("accepted").asInt()).isEqualTo(4);
    assertThat(rows(SESSION_QUERY, "tie")).extracting(r -> r.get("event_id"))
        .containsExactly("earlier", "first", "second", "third");
  }

  @Test
  void concurrentSendersIntoSharedSessionsLeaveExactSessionRows() throws Exception {
    Collector c = start(b -> b.app("blog", "blog-key", "blog-secret-0123456789"));
    TestSender sender = new TestSender(c);
    int senders = 8;
    int requestsPerSender = 20;
    int eventsPerRequest = 10;
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    try {
      List<CompletableFuture<List<Answer>>> futures = new ArrayList<>();
      for (int t = 0; t < senders; t++) {
        int thread = t;
        futures.add(CompletableFuture.supplyAsync(() -> {
          List<Answer> answers = new ArrayList<>();
          boolean blog = thread % 2 == 1;
          for (int r = 0; r < requestsPerSender; r++) {
            List<String> events = new ArrayList<>();
            for (int e = 0; e < eventsPerRequest; e++) {
              int n = r * eventsPerRequest + e;
              // Pairs of senders of one application send the same event ids: half of them are duplicates.
              String id = "id-" + (thread / 2 % 2) + "-" + n;
              String ts = String.format("2021-01-01 10:%02d:%02d.%06d", n % 60, (n * 7 + thread) % 60, thread);
              events.add(event(id, "shared-" + (n % 3), "video", "play", ts, (long) n, "{}"));
            }
            answers.add(blog
                ? sender.post("blog-key", "blog-secret-0123456789", batch(events.toArray(String[]::new)))
                : sender.post(KEY, SECRET, batch(events.toArray(String[]::new))));
          }
          return answers;
        }, pool));
      }
      int accepted = 0;
      int duplicates = 0;
      for (CompletableFuture<List<Answer>> f : futures) {
        for (Answer a : f.get(90, TimeUnit.SECONDS)) {
          assertThat(a.status()).as(a.toString()).isEqualTo(202);
          accepted += a.json().path("accepted").asInt();
          duplicates += a.json().path("duplicates").asInt();
        }
      }
      int total = senders * requestsPerSender * eventsPerRequest;
      assertThat(accepted + duplicates).isEqualTo(total);
      // Four distinct (application, id-prefix) groups, each sending every id twice.
      assertThat(accepted).isEqualTo(total / 2);
      assertThat(count("SELECT COUNT(*) FROM events")).isEqualTo(total / 2);
    } finally {
      pool.shutdownNow();
    }
    List<Map<String, Object>> mismatches = rows("""
        SELECT s.session_id FROM sessions s
        JOIN (SELECT session_id, COUNT(*) AS n, MIN(occurred_at) AS first, MAX(occurred_at) AS last
              FROM events GROUP BY session_id) e ON e.session_id = s.session_id
        WHERE s.event_count <> e.n OR s.first_seen_at <> e.first OR s.last_seen_at <> e.last""");
    assertThat(mismatches).isEmpty();
    assertThat(count("SELECT COUNT(*) FROM sessions")).isEqualTo(3);
    assertThat(count("SELECT SUM(event_count) FROM sessions")).isEqualTo(count("SELECT COUNT(*) FROM events"));
  }
}
