package io.theeye.collector;

import static io.theeye.collector.TestSender.batch;
import static io.theeye.collector.TestSender.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.collector.TestSender.Answer;
import io.theeye.testsupport.Requirements;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Another process holds the SQLite write lock: every request is answered 503 {@code storage_unavailable}
 * within about one busy timeout ({@value io.theeye.collector.storage.sqlite.SqliteEventStore#DEFAULT_BUSY_TIMEOUT_MILLIS}
 * ms, not configurable), never after two, and what was answered 202 once the lock is gone is stored.
 * The collector runs with its defaults; the lock is held by the system's {@code sqlite3}.
 */
@Timeout(120)
class LockedDatabaseTest extends CollectorTestSupport {

  private static final Path CLI = Path.of("/usr/bin/sqlite3");
  private static final String TS = "2021-01-01 09:15:27.243860";
  private static final Duration HOLD = Duration.ofSeconds(20);
  /** One busy timeout (5 s) plus room for a slow machine, well short of two. */
  private static final Duration MAX_503_LATENCY = Duration.ofSeconds(6);
  private static final int SENDERS = 3;

  /** One request sent: its events, what came back, and how long that took. */
  private record Sent(List<String> eventIds, Answer answer, long millis) {}

  @Test
  void aDatabaseLockedByAnotherProcessAnswers503WithinOneBusyTimeout() throws Exception {
    Requirements.requireExecutable(CLI);

    Collector c = start();
    TestSender sender = new TestSender(c);
    assertThat(sender.post(KEY, SECRET, pageview("before", "s-0", TS)).status()).isEqualTo(202);

    ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
    try (LockHolder lock = LockHolder.lock(Path.of(db()))) {
      long until = System.nanoTime() + HOLD.toNanos();
      List<CompletableFuture<Void>> senders = new ArrayList<>();
      for (int t = 0; t < SENDERS; t++) {
        int thread = t;
        senders.add(CompletableFuture.runAsync(() -> {
          for (int r = 0; System.nanoTime() < until; r++) {
            sent.add(send(sender, "locked-t" + thread + "-r" + r));
          }
        }, pool));
      }
      CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);

      // Everything answered so far was answered while the other process held the lock.
      List<Sent> whileLocked = List.copyOf(sent);
      LongSummaryStatistics latency = whileLocked.stream().mapToLong(Sent::millis).summaryStatistics();
      System.out.printf("LockedDatabaseTest: %d answers while locked, latency ms min %d avg %.0f max %d%n",
          latency.getCount(), latency.getMin(), latency.getAverage(), latency.getMax());
      assertThat(whileLocked).allSatisfy(s -> {
        assertThat(s.answer().status()).as("%s", s.answer()).isEqualTo(503);
        assertThat(s.answer().error()).isEqualTo("storage_unavailable");
        assertThat(s.answer().retryAfter()).isPresent();
        assertThat(s.millis()).as("a 503's latency, ms").isLessThanOrEqualTo(MAX_503_LATENCY.toMillis());
      });
      // 20 s at no more than one busy timeout each: at least three rounds per sender.
      assertThat(whileLocked).hasSizeGreaterThanOrEqualTo(3 * SENDERS);
    } finally {
      pool.shutdown();
    }

    // The lock is gone: the next requests are stored and answered 202.
    for (int r = 0; r < 3; r++) {
      String id = "after-r" + r;
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        Sent s = send(sender, id);
        sent.add(s);
        return s.answer().status() == 202;
      });
    }

    Set<String> acknowledged = new HashSet<>(List.of("before"));
    Set<String> refused = new HashSet<>();
    for (Sent s : sent) {
      (s.answer().status() == 202 ? acknowledged : refused).addAll(s.eventIds());
    }
    refused.removeAll(acknowledged); // the "after" requests retried under the same ids
    Set<String> stored = rows("SELECT event_id FROM events").stream()
        .map(r -> (String) r.get("event_id")).collect(Collectors.toSet());
    assertThat(stored).containsAll(acknowledged).doesNotContainAnyElementsOf(refused);
    assertThat(count("SELECT COUNT(*) FROM events")).isEqualTo(acknowledged.size());
  }

  private static Sent send(TestSender sender, String requestId) {
    List<String> ids = List.of(requestId + "-e0", requestId + "-e1");
    String body = batch(ids.stream().map(id -> pageview(id, "s-" + requestId, TS)).toArray(String[]::new));
    long start = System.nanoTime();
    Answer a = sender.post(KEY, SECRET, body);
    return new Sent(ids, a, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  /** A {@code sqlite3} process holding the write lock of a database file until closed. */
  private static final class LockHolder implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;

    private LockHolder(Process process) {
      this.process = process;
      this.stdin = process.getOutputStream();
    }

    static LockHolder lock(Path file) throws Exception {
      Process p = new ProcessBuilder(CLI.toString(), file.toAbsolutePath().toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      LockHolder holder = new LockHolder(p);
      try {
        // .bail: if BEGIN IMMEDIATE fails, the CLI exits before it prints the marker.
        holder.command(".bail on\n.timeout 10000\nBEGIN IMMEDIATE;\nSELECT 'locked';\n");
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
          try {
            return out.readLine();
          } catch (IOException e) {
            return "read failed: " + e;
          }
        }).get(20, TimeUnit.SECONDS);
        assertThat(line).as("the sqlite3 CLI's answer to BEGIN IMMEDIATE").isEqualTo("locked");
        return holder;
      } catch (Exception | AssertionError e) {
        p.destroyForcibly();
        throw e;
      }
    }

    private void command(String text) throws IOException {
      stdin.write(text.getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    }

    @Override
    public void close() throws Exception {
      try {
        command("ROLLBACK;\n.quit\n");
        stdin.close();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("sqlite3 exited").isTrue();
      } finally {
        process.destroyForcibly();
      }
    }
  }
}
