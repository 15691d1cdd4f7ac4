package io.theeye.client;

import static io.theeye.client.TestSupport.SESSION;
import static io.theeye.client.TestSupport.accepted;
import static io.theeye.client.TestSupport.clientFor;
import static io.theeye.client.TestSupport.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.client.EyeListener.Delivery;
import io.theeye.client.EyeListener.Failure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** flush() completes with what that flush delivered and failed; the listener runs on the client's thread. */
@Timeout(30)
class FlushResultTest extends MockCollectorTest {

  @Test
  void flushCompletesWithWhatItDeliveredAndWhatItFailed() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(202)
        .setBody("{\"received\":3,\"accepted\":1,\"rejected\":1,\"duplicates\":1}"));
    server.enqueue(error(400, "malformed_body"));
    eye = clientFor(server).maxBatchEvents(3).maxInFlightBatches(1).flushInterval(Duration.ofHours(1))
        .build();

    for (int i = 0; i < 5; i++) {
      eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
    }
    FlushResult r = eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(r).isEqualTo(new FlushResult(3, 1, 1, 1, 2, 0));
    assertThat(r.total()).isEqualTo(5);
    assertThat(r.allAcknowledged()).isFalse();
  }

  @Test
  void aFlushCountsOnlyEventsStillPendingWhenItWasCalled() throws Exception {
    server.setDispatcher(new TestSupport.AcceptingDispatcher());
    eye = clientFor(server).flushInterval(Duration.ofHours(1)).build();

    eye.track(SESSION, "page interaction", "pageview", null);
    eye.track(SESSION, "page interaction", "pageview", null);
    assertThat(eye.flush().get(10, TimeUnit.SECONDS)).isEqualTo(new FlushResult(2, 2, 0, 0, 0, 0));
    assertThat(eye.flush().get(10, TimeUnit.SECONDS)).isEqualTo(FlushResult.EMPTY);

    eye.track(SESSION, "page interaction", "pageview", null);
    FlushResult third = eye.flush().get(10, TimeUnit.SECONDS);
    assertThat(third.acknowledged()).isEqualTo(1);
    assertThat(third.allAcknowledged()).isTrue();
  }

  @Test
  void concurrentFlushesEachCountEveryEventTrackedBeforeThem() throws Exception {
    server.setDispatcher(new TestSupport.AcceptingDispatcher());
    eye = clientFor(server).maxBatchEvents(10).build();

    for (int i = 0; i < 95; i++) {
      eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
    }
    var first = eye.flush();
    for (int i = 0; i < 5; i++) {
      eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
    }
    var second = eye.flush();

    // Batches may be dispatched (even finished) before a flush is asked for; those are not counted.
    // Every event still pending when a flush was asked for is counted by it, once.
    FlushResult a = first.get(10, TimeUnit.SECONDS);
    FlushResult b = second.get(10, TimeUnit.SECONDS);
    assertThat(a.failed() + b.failed()).isZero();
    assertThat(a.acknowledged()).isBetween(0L, 95L);
    assertThat(b.acknowledged()).isBetween(5L, 100L);
    assertThat(eye.counters().acknowledged()).isEqualTo(100);
  }

  @Test
  void listenerCallbacksRunOnTheClientsSenderThreadNeverOnOkHttps() throws Exception {
    List<String> threads = new CopyOnWriteArrayList<>();
    server.enqueue(accepted(1));
    server.enqueue(error(401, "unauthorized"));
    server.enqueue(error(503, "overloaded"));
    eye = clientFor(server).maxBatchEvents(1).maxInFlightBatches(1).retryBudget(Duration.ZERO)
        .listener(new EyeListener() {
          @Override
          public void onDelivered(Delivery delivery) {
            threads.add("delivered on " + Thread.currentThread().getName());
          }

          @Override
          public void onFailed(Failure failure) {
            threads.add(failure.reason() + " on " + Thread.currentThread().getName());
          }
        }).build();

    for (int i = 0; i < 3; i++) {
      eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
    }
    FlushResult r = eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(r.acknowledged()).isEqualTo(1);
    assertThat(r.failed()).isEqualTo(2);
    assertThat(threads).containsExactly("delivered on eye-client-sender", "REFUSED on eye-client-sender",
        "RETRIES_EXHAUSTED on eye-client-sender");
  }

  @Test
  void flushAfterCloseCompletesEmpty() throws Exception {
    server.setDispatcher(new TestSupport.AcceptingDispatcher());
    eye = clientFor(server).build();
    eye.close();

    assertThat(eye.flush().get(10, TimeUnit.SECONDS)).isEqualTo(FlushResult.EMPTY);
  }
}
