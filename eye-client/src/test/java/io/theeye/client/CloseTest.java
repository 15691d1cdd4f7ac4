package io.theeye.client;

import static io.theeye.client.TestSupport.SESSION;
import static io.theeye.client.TestSupport.accepted;
import static io.theeye.client.TestSupport.clientFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.client.EyeListener.Failure;
import io.theeye.client.EyeListener.FailureReason;
import io.theeye.client.TestSupport.AcceptingDispatcher;
import io.theeye.model.Event;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CloseTest extends MockCollectorTest {

  private final CountDownLatch unblock = new CountDownLatch(1);

  @AfterEach
  void stop() {
    unblock.countDown();
  }

  private void answerNever() {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        unblock.await(30, TimeUnit.SECONDS);
        return accepted(0);
      }
    });
  }

  @Test
  void closeDeliversEverythingQueuedBeforeReturning() {
    AcceptingDispatcher collector = new AcceptingDispatcher();
    server.setDispatcher(collector);
    eye = clientFor(server).maxBatchEvents(100).flushInterval(Duration.ofHours(1)).build();

    for (int i = 0; i < 1_234; i++) {
      eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
    }
    long undelivered = eye.close(Duration.ofSeconds(20));

    assertThat(undelivered).isZero();
    assertThat(collector.received).hasSize(1_234).extracting(Event::eventId).doesNotHaveDuplicates();
    EyeCounters c = eye.counters();
    assertThat(c.acknowledged()).isEqualTo(1_234);
    assertThat(c.pending()).isZero();
  }

  @Test
  void closeGivesUpAfterItsTimeoutAndReportsWhatWasNotDelivered() {
    answerNever();
    List<Failure> failures = new CopyOnWriteArrayList<>();
    eye = clientFor(server)
        .maxBatchEvents(10)
        .maxInFlightBatches(2)
        .listener(new EyeListener() {
          @Override
          public void onFailed(Failure failure) {
            failures.add(failure);
          }
        })
        .build();
    for (int i = 0; i < 50; i++) {
      eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.getRequestCount() == 2);

    long undelivered = eye.close(Duration.ofMillis(200));

    assertThat(undelivered).isEqualTo(50);
    assertThat(failures).allMatch(f -> f.reason() == FailureReason.CLOSED);
    assertThat(failures.stream().mapToInt(f -> f.events().size()).sum()).isEqualTo(50);
    EyeCounters c = eye.counters();
    assertThat(c.failed()).isEqualTo(50);
    assertThat(c.pending()).isZero();
    assertThat(c.tracked()).isEqualTo(c.acknowledged() + c.failed() + c.pending());
  }

  @Test
  void closeIsIdempotent() {
    server.setDispatcher(new AcceptingDispatcher());
    eye = clientFor(server).build();
    eye.track(SESSION, "page interaction", "pageview", null);

    eye.close();
    eye.close();
    long again = eye.close(Duration.ZERO);

    assertThat(again).isZero();
    assertThat(eye.counters().acknowledged()).isEqualTo(1);
    assertThat(eye.toString()).contains("closed");
  }

  @Test
  void shutdownReturnsAtOnceAndCompletesWhenTheLastBatchIsDelivered() throws Exception {
    answerNever();
    eye = clientFor(server).closeTimeout(Duration.ofSeconds(20)).build();
    eye.track(SESSION, "page interaction", "pageview", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.getRequestCount() == 1);

    CompletableFuture<Long> shutdown = eye.shutdown();

    assertThat(shutdown).isNotDone();
    assertThat(eye.track(SESSION, "page interaction", "pageview", null)).isFalse();
    assertThat(eye.counters().dropped(DropReason.CLOSED)).isEqualTo(1);
    unblock.countDown();
    assertThat(shutdown.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(eye.counters().acknowledged()).isEqualTo(1);
    assertThat(eye.close(Duration.ZERO)).as("close after shutdown: the same result").isZero();
    assertThat(eye.shutdown().get(1, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void shutdownGivesUpAfterTheCloseTimeoutAndCountsWhatWasLost() throws Exception {
    answerNever();
    eye = clientFor(server).closeTimeout(Duration.ofMillis(200)).build();
    for (int i = 0; i < 3; i++) {
      eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
    }
    eye.flush();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.getRequestCount() == 1);

    assertThat(eye.shutdown().get(10, TimeUnit.SECONDS)).isEqualTo(3);
    EyeCounters c = eye.counters();
    assertThat(c.failed()).isEqualTo(3);
    assertThat(c.pending()).isZero();
  }

  @Test
  void flushAfterCloseCompletesAtOnce() throws Exception {
    eye = clientFor(server).build();
    eye.close();

    CompletableFuture<FlushResult> flushed = eye.flush();

    flushed.get(1, TimeUnit.SECONDS);
  }

  @Test
  void closeStopsEveryThreadTheClientStarted() {
    server.setDispatcher(new AcceptingDispatcher());
    eye = clientFor(server).build();
    eye.track(SESSION, "page interaction", "pageview", null);
    eye.flush().join();
    assertThat(clientThreads()).isNotEmpty().allMatch(Thread::isDaemon);

    eye.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> clientThreads().isEmpty());
  }

  private static List<Thread> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("eye-client-") && t.isAlive())
        .toList();
  }

  @Test
  void anInjectedOkHttpClientIsUsedAndLeftRunning() throws Exception {
    AcceptingDispatcher collector = new AcceptingDispatcher();
    server.setDispatcher(collector);
    OkHttpClient mine = new OkHttpClient.Builder()
        .addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("X-Mine", "yes").build()))
        .build();
    eye = clientFor(server).okHttpClient(mine).build();

    eye.track(SESSION, "page interaction", "pageview", null);
    eye.close();

    assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeader("X-Mine")).isEqualTo("yes");
    assertThat(mine.dispatcher().executorService().isShutdown()).isFalse();
    mine.dispatcher().executorService().shutdown();
    mine.connectionPool().evictAll();
  }
}
