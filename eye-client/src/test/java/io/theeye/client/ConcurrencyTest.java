package io.theeye.client;

import static io.theeye.client.TestSupport.clientFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.client.TestSupport.AcceptingDispatcher;
import io.theeye.model.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ConcurrencyTest extends MockCollectorTest {

  private final AcceptingDispatcher collector = new AcceptingDispatcher();
  private final ExecutorService threads = Executors.newFixedThreadPool(8);

  @BeforeEach
  void start() {
    server.setDispatcher(collector);
  }

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  @Test
  void manyThreadsTrackingAreEachDeliveredOnceInPerThreadOrder() throws Exception {
    eye = clientFor(server).maxBatchEvents(100).maxQueueEvents(50_000).build();
    int perThread = 1_000;
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      String session = "session-" + t;
      done.add(threads.submit(() -> {
        go.await();
        for (int i = 0; i < perThread; i++) {
          assertThat(eye.track(session, "page interaction", "pageview", Map.of("i", i))).isTrue();
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(30, TimeUnit.SECONDS);
    }
    eye.flush().get(30, TimeUnit.SECONDS);

    assertThat(collector.received).hasSize(8 * perThread)
        .extracting(Event::eventId).doesNotHaveDuplicates();
    // Within a session (one thread), timestamp then seq give back the tracking order.
    Map<String, List<Event>> bySession = new HashMap<>();
    for (Event e : collector.received) {
      bySession.computeIfAbsent(e.sessionId(), k -> new ArrayList<>()).add(e);
    }
    for (List<Event> events : bySession.values()) {
      events.sort((a, b) -> a.timestamp().equals(b.timestamp())
          ? Long.compare(a.seq(), b.seq()) : a.timestamp().compareTo(b.timestamp()));
      for (int i = 0; i < events.size(); i++) {
        assertThat(events.get(i).data().path("i").asInt()).isEqualTo(i);
      }
    }
    EyeCounters c = eye.counters();
    assertThat(c.tracked()).isEqualTo(8 * perThread);
    assertThat(c.acknowledged()).isEqualTo(8 * perThread);
    assertThat(c.pending()).isZero();
  }

  @Test
  void closingWhileThreadsTrackLosesNothingUncounted() throws Exception {
    eye = clientFor(server).maxBatchEvents(50).maxQueueEvents(2_000).build();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong calls = new AtomicLong();
    AtomicLong accepted = new AtomicLong();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      String session = "session-" + t;
      done.add(threads.submit(() -> {
        int i = 0;
        while (running.get()) {
          calls.incrementAndGet();
          if (eye.track(session, "page interaction", "pageview", Map.of("i", i++))) {
            accepted.incrementAndGet();
          }
        }
      }));
    }
    TestSupport.take(server);

    eye.close(Duration.ofSeconds(10));
    running.set(false);
    for (Future<?> f : done) {
      f.get(10, TimeUnit.SECONDS);
    }

    EyeCounters c = eye.counters();
    assertThat(c.tracked() + c.droppedTotal()).isEqualTo(calls.get());
    assertThat(c.tracked()).isEqualTo(accepted.get());
    assertThat(c.tracked()).isEqualTo(c.acknowledged() + c.failed());
    assertThat(c.pending()).isZero();
    assertThat(c.dropped(DropReason.CLOSED)).isPositive();
    assertThat(collector.received).hasSize((int) c.acknowledged())
        .extracting(Event::eventId).doesNotHaveDuplicates();
  }
}
