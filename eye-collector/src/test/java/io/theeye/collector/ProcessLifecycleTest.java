package io.theeye.collector;

import static io.theeye.collector.TestSender.batch;
import static io.theeye.collector.TestSender.pageview;
import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.TestSender.Answer;
import io.theeye.testsupport.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The collector as a process: killed without warning, and stopped with SIGTERM while busy. */
@Timeout(120)
class ProcessLifecycleTest extends CollectorTestSupport {

  private static final String TS = "2021-01-01 09:15:27.243860";
  private static final int SENDERS = 4;

  /** What the senders saw: ids of events in 202-answered requests, and every other outcome. */
  private record Traffic(ConcurrentLinkedQueue<String> acknowledged, ConcurrentLinkedQueue<String> other) {}

  /**
   * Sends 5-event requests from {@link #SENDERS} threads until each gets a connection error; counts down
   * {@code acknowledgedEnough} after {@code threshold} 202s.
   */
  private static Traffic sendUntilGone(URI uri, int threshold, CountDownLatch acknowledgedEnough,
      ExecutorService pool) {
    TestSender sender = new TestSender(uri);
    Traffic traffic = new Traffic(new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>());
    AtomicInteger acks = new AtomicInteger();
    for (int t = 0; t < SENDERS; t++) {
      int thread = t;
      pool.execute(() -> {
        for (int r = 0; ; r++) {
          List<String> ids = new ArrayList<>();
          List<String> events = new ArrayList<>();
          for (int e = 0; e < 5; e++) {
            String id = "t" + thread + "-r" + r + "-e" + e;
            ids.add(id);
            events.add(pageview(id, "session-" + thread, TS));
          }
          Answer a;
          try {
            a = sender.post(KEY, SECRET, batch(events.toArray(String[]::new)));
          } catch (UncheckedIOException gone) {
            traffic.other().add("connection error");
            return;
          }
          if (a.status() == 202) {
            traffic.acknowledged().addAll(ids);
            if (acks.incrementAndGet() == threshold) {
              acknowledgedEnough.countDown();
            }
          } else {
            traffic.other().add(a.status() + " " + a.error());
          }
        }
      });
    }
    return traffic;
  }

  private String[] args() {
    return new String[] {"--port", "0", "--db", db(), "--app", APP + ":" + KEY + ":" + SECRET};
  }

  /** {@link CollectorMain} in its own JVM, as an operator runs it. */
  private ChildProcess startChild() throws IOException {
    return ChildProcess.javaMain(tempDir, List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
        CollectorMain.class, args());
  }

  /** The address from the child's {@code listening on} line. */
  private static URI listening(ChildProcess child) throws Exception {
    String line = child.awaitLine(CollectorMain.LISTENING_PREFIX);
    return URI.create(line.substring(CollectorMain.LISTENING_PREFIX.length()).trim());
  }

  @Test
  void killedCollectorKeepsEveryAcknowledgedEvent() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
    Traffic traffic;
    String output;
    try (ChildProcess child = startChild()) {
      URI uri = listening(child);
      // Refusals and rejections first, so that their log lines are in the output checked for the secret.
      TestSender sender = new TestSender(uri);
      assertThat(sender.post(KEY, SECRET + "-wrong", pageview("x", "s", TS)).status()).isEqualTo(401);
      assertThat(sender.post(KEY, SECRET, "{broken").status()).isEqualTo(400);
      CountDownLatch enough = new CountDownLatch(1);
      traffic = sendUntilGone(uri, 40, enough, pool);
      assertThat(enough.await(60, TimeUnit.SECONDS)).as("40 requests acknowledged").isTrue();
      child.process().destroyForcibly();
      child.awaitExit(60);
      pool.shutdown();
      assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      output = child.output();
    }
    assertThat(output).doesNotContain(SECRET);

    Collector restarted = start();
    Set<String> stored = rows("SELECT event_id FROM events").stream()
        .map(r -> (String) r.get("event_id")).collect(Collectors.toSet());
    assertThat(traffic.acknowledged()).hasSizeGreaterThanOrEqualTo(200);
    assertThat(stored).containsAll(traffic.acknowledged());
    assertThat(new TestSender(restarted).get("/ready").status()).isEqualTo(200);
  }

  @Test
  void sigtermWhileBusyExitsZeroAndLosesNoAcknowledgedEvent() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
    Traffic traffic;
    int exit;
    String output;
    try (ChildProcess child = startChild()) {
      URI uri = listening(child);
      CountDownLatch enough = new CountDownLatch(1);
      traffic = sendUntilGone(uri, 40, enough, pool);
      assertThat(enough.await(60, TimeUnit.SECONDS)).as("40 requests acknowledged").isTrue();
      child.process().destroy();
      exit = child.awaitExit(60);
      pool.shutdown();
      assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      output = child.output();
    }
    assertThat(exit).as(output).isZero();
    assertThat(output).doesNotContain(SECRET);
    assertThat(traffic.other()).allSatisfy(o -> assertThat(o).isIn("503 shutting_down", "connection error"));

    Set<String> stored = rows("SELECT event_id FROM events").stream()
        .map(r -> (String) r.get("event_id")).collect(Collectors.toSet());
    assertThat(traffic.acknowledged()).hasSizeGreaterThanOrEqualTo(200);
    assertThat(stored).containsAll(traffic.acknowledged());
  }
}
