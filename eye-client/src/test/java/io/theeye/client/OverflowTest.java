package io.theeye.client;

import static io.theeye.client.TestSupport.SESSION;
import static io.theeye.client.TestSupport.clientFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.theeye.client.TestSupport.AcceptingDispatcher;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The overflow policies of the in-memory buffer, each crossing its limit. */
@Timeout(30)
class OverflowTest extends MockCollectorTest {

  private static final int CAPACITY = 10;

  /** Holds every request until released: the buffer stays full meanwhile. */
  private final CountDownLatch release = new CountDownLatch(1);
  private final AcceptingDispatcher accepting = new AcceptingDispatcher();

  private void holdRequests() {
    server.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        release.await(20, TimeUnit.SECONDS);
        return accepting.dispatch(request);
      }
    });
  }

  @AfterEach
  void releaseRequests() {
    release.countDown();
  }

  private EyeClient.Builder fullAfter10() {
    return clientFor(server).maxQueueEvents(CAPACITY).maxBatchEvents(CAPACITY);
  }

  private boolean track(int i) {
    return eye.track(SESSION, "batch job", "imported", Map.of("i", i));
  }

  @Test
  void dropNewestIsTheDefaultAndDropsTheEventPastTheLimitAtOnce() {
    holdRequests();
    eye = fullAfter10().build();
    for (int i = 0; i < CAPACITY; i++) {
      assertThat(track(i)).isTrue();
    }

    assertThat(track(CAPACITY)).isFalse();
    assertThat(eye.counters().dropped(DropReason.QUEUE_FULL)).isEqualTo(1);
  }

  @Test
  void blockUpToWaitsForRoomAndTheEventIsDelivered() throws Exception {
    holdRequests();
    eye = fullAfter10().overflow(Overflow.blockUpTo(Duration.ofSeconds(20))).build();
    for (int i = 0; i < CAPACITY; i++) {
      assertThat(track(i)).isTrue();
    }

    AtomicReference<Thread> caller = new AtomicReference<>();
    CompletableFuture<Boolean> eleventh = CompletableFuture.supplyAsync(() -> {
      caller.set(Thread.currentThread());
      return track(CAPACITY);
    });
    // The caller is parked in track(), waiting for room, while the first ten are held.
    await().atMost(Duration.ofSeconds(10)).until(() -> caller.get() != null
        && caller.get().getState() == Thread.State.TIMED_WAITING && !eleventh.isDone());
    release.countDown();

    assertThat(eleventh.get(10, TimeUnit.SECONDS)).isTrue();
    eye.flush().get(10, TimeUnit.SECONDS);
    EyeCounters c = eye.counters();
    assertThat(c.droppedTotal()).isZero();
    assertThat(c.acknowledged()).isEqualTo(CAPACITY + 1);
    assertThat(accepting.received).hasSize(CAPACITY + 1);
  }

  @Test
  void blockUpToDropsAndCountsOnceTheWaitRunsOut() {
    holdRequests();
    Duration wait = Duration.ofMillis(200);
    eye = fullAfter10().overflow(Overflow.blockUpTo(wait)).build();
    for (int i = 0; i < CAPACITY; i++) {
      assertThat(track(i)).isTrue();
    }

    long start = System.nanoTime();
    boolean accepted = track(CAPACITY);
    long waited = System.nanoTime() - start;

    assertThat(accepted).isFalse();
    assertThat(waited).isGreaterThanOrEqualTo(wait.toNanos());
    assertThat(eye.counters().dropped(DropReason.QUEUE_FULL)).isEqualTo(1);
  }

  @Test
  void closingReleasesACallerWaitingForRoom() throws Exception {
    holdRequests();
    eye = fullAfter10().overflow(Overflow.blockUpTo(Duration.ofMinutes(1))).closeTimeout(Duration.ZERO)
        .build();
    for (int i = 0; i < CAPACITY; i++) {
      assertThat(track(i)).isTrue();
    }
    AtomicReference<Thread> caller = new AtomicReference<>();
    CompletableFuture<Boolean> eleventh = CompletableFuture.supplyAsync(() -> {
      caller.set(Thread.currentThread());
      return track(CAPACITY);
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> caller.get() != null
        && caller.get().getState() == Thread.State.TIMED_WAITING);

    eye.shutdown();

    assertThat(eleventh.get(10, TimeUnit.SECONDS)).isFalse();
    assertThat(eye.counters().dropped(DropReason.CLOSED)).isEqualTo(1);
  }

  @Test
  void blockUpToNeedsAPositiveWait() {
    assertThatThrownBy(() -> Overflow.blockUpTo(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWait must be positive");
    assertThat(Overflow.dropNewest().blocks()).isFalse();
    assertThat(Overflow.blockUpTo(Duration.ofSeconds(1))).isEqualTo(Overflow.blockUpTo(Duration.ofSeconds(1)));
  }
}
