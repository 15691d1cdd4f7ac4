package io.theeye.collector;

import static io.theeye.collector.TestSender.batch;
import static io.theeye.collector.TestSender.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.collector.TestSender.Answer;
import io.theeye.testsupport.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code eye-collector.jar backup}: a consistent copy of a database a collector is writing. */
@Timeout(120)
class BackupTest extends CollectorTestSupport {

  private static final String TS = "2021-01-01 09:15:27.243860";
  private static final Path SQLITE3 = Path.of("/usr/bin/sqlite3");

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private int run(String... args) {
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    return new CollectorMain(Map.of(), print, print).commandLine(args).execute(args);
  }

  private static String sqlite3(Path file, String sql) throws Exception {
    Process p = new ProcessBuilder(SQLITE3.toString(), "-batch", file.toString(), sql).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(text).isZero();
    return text;
  }

  @Test
  void aCopyTakenDuringIngestIsSoundAndHoldsEveryEventAcknowledgedBeforeIt() throws Exception {
    Requirements.requireExecutable(SQLITE3);
    Collector c = start();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
    AtomicBoolean sending = new AtomicBoolean(true);
    AtomicInteger requests = new AtomicInteger();
    CountDownLatch warm = new CountDownLatch(50);
    List<Future<?>> senders = new ArrayList<>();
    Path copy = tempDir.resolve("backups").resolve("eye-copy.db");
    Files.createDirectories(copy.getParent());
    Set<String> beforeBackup;
    int afterBackup;
    try {
      for (int t = 0; t < 4; t++) {
        int thread = t;
        senders.add(pool.submit(() -> {
          TestSender sender = new TestSender(c);
          for (int r = 0; sending.get(); r++) {
            List<String> ids = new ArrayList<>();
            String[] events = new String[10];
            for (int e = 0; e < 10; e++) {
              ids.add("t" + thread + "-r" + r + "-e" + e);
              events[e] = pageview(ids.get(e), "s-" + thread + "-" + (r / 10), TS);
            }
            Answer a = sender.post(KEY, SECRET, batch(events));
            assertThat(a.status()).isEqualTo(202);
            acknowledged.addAll(ids);
            requests.incrementAndGet();
            warm.countDown();
          }
        }));
      }
      assertThat(warm.await(60, TimeUnit.SECONDS)).isTrue();
      beforeBackup = Set.copyOf(acknowledged);
      assertThat(run("backup", "--db", db(), "--to", copy.toString())).as(out.toString(StandardCharsets.UTF_8)).isZero();
      afterBackup = requests.get();
      // Keep writing a little after the copy, so the live file moves on past it.
      await().atMost(Duration.ofSeconds(30)).until(() -> requests.get() >= afterBackup + 20);
    } finally {
      sending.set(false);
      for (Future<?> f : senders) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("backed up " + db() + " to " + copy + ": ").contains("quick_check ok");
    assertThat(sqlite3(copy, "PRAGMA integrity_check;")).isEqualTo("ok\n");
    Set<String> inCopy = sqlite3(copy, "SELECT event_id FROM events;").lines().collect(Collectors.toSet());
    assertThat(inCopy).containsAll(beforeBackup);
    assertThat(sqlite3(copy, "SELECT (SELECT count(*) FROM events) = (SELECT sum(event_count) FROM sessions);"))
        .isEqualTo("1\n");
    assertThat(count("SELECT count(*) FROM events")).isGreaterThan(inCopy.size());
    assertThat(Files.list(copy.getParent())).containsExactly(copy);
  }

  @Test
  void aBackupNeverOverwritesAFileAndPointsPostgresToPgDump() throws Exception {
    start().close();
    Path existing = Files.writeString(tempDir.resolve("existing.db"), "keep me");
    assertThat(run("backup", "--db", db(), "--to", existing.toString())).isEqualTo(1);
    assertThat(Files.readString(existing)).isEqualTo("keep me");
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(existing + " exists already");
    assertThat(run("backup", "--db", "jdbc:postgresql://127.0.0.1:5432/test", "--to", "x.db")).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("pg_dump");
    assertThat(run("backup", "--db", tempDir.resolve("missing.db").toString(), "--to", "x.db")).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("there is no database file");
  }
}
