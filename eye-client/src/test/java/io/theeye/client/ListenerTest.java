package io.theeye.client;

import static io.theeye.client.TestSupport.SECRET;
import static io.theeye.client.TestSupport.SESSION;
import static io.theeye.client.TestSupport.clientFor;
import static io.theeye.client.TestSupport.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.client.EyeListener.Delivery;
import io.theeye.client.EyeListener.Failure;
import io.theeye.client.EyeListener.FailureReason;
import io.theeye.model.Event;
import io.theeye.model.IngestResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ListenerTest extends MockCollectorTest {

  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final List<Failure> failures = new CopyOnWriteArrayList<>();
  private final EyeListener listener = new EyeListener() {
    @Override
    public void onDelivered(Delivery delivery) {
      deliveries.add(delivery);
    }

    @Override
    public void onFailed(Failure failure) {
      failures.add(failure);
    }
  };


  @Test
  void theListenerHearsDeliveriesWithTheCollectorsCounts() throws Exception {
    List<List<String>> sentIds = new CopyOnWriteArrayList<>();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        sentIds.add(TestSupport.events(request).stream().map(Event::eventId).toList());
        return new MockResponse().setResponseCode(202)
            .setBody("{\"received\":3,\"accepted\":1,\"rejected\":1,\"duplicates\":1}");
      }
    });
    eye = clientFor(server).listener(listener).flushInterval(Duration.ofHours(1)).build();

    eye.track(SESSION, "page interaction", "pageview", Map.of("path", "/"));
    eye.track(SESSION, "page interaction", "cta click", Map.of("element", "chat bubble"));
    eye.track(SESSION, "form interaction", "submit", Map.of());
    eye.flush().get(10, TimeUnit.SECONDS);

    Delivery d = deliveries.get(0);
    assertThat(d.result()).isEqualTo(new IngestResult(3, 1, 1, 1));
    assertThat(d.attempts()).isEqualTo(1);
    assertThat(d.events()).extracting(TrackedEvent::name).containsExactly("pageview", "cta click", "submit");
    assertThat(d.events()).extracting(TrackedEvent::seq).containsExactly(0L, 1L, 2L);
    assertThat(d.events()).extracting(TrackedEvent::eventId).containsExactlyElementsOf(sentIds.get(0));
    assertThat(d.events()).allMatch(e -> e.sessionId().equals(SESSION) && e.timestamp() != null);
    EyeCounters c = eye.counters();
    assertThat(c.acknowledged()).isEqualTo(3);
    assertThat(c.accepted()).isEqualTo(1);
    assertThat(c.rejected()).isEqualTo(1);
    assertThat(c.duplicates()).isEqualTo(1);
  }

  @Test
  void theListenerHearsFailuresWithTheCollectorsErrorCode() throws Exception {
    server.enqueue(error(401, "unauthorized"));
    eye = clientFor(server).listener(listener).build();

    eye.track(SESSION, "page interaction", "pageview", null);
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(deliveries).isEmpty();
    Failure f = failures.get(0);
    assertThat(f.reason()).isEqualTo(FailureReason.REFUSED);
    assertThat(f.errorCode()).isEqualTo("unauthorized");
    assertThat(f.events()).singleElement().extracting(TrackedEvent::name).isEqualTo("pageview");
  }

  @Test
  void aThrowingListenerDoesNotBreakTheClient() throws Exception {
    server.setDispatcher(new TestSupport.AcceptingDispatcher());
    AtomicInteger calls = new AtomicInteger();
    eye = clientFor(server).maxBatchEvents(1).listener(new EyeListener() {
      @Override
      public void onDelivered(Delivery delivery) {
        calls.incrementAndGet();
        throw new IllegalStateException("listener bug");
      }
    }).build();

    eye.track(SESSION, "page interaction", "pageview", null);
    eye.track(SESSION, "page interaction", "pageview", null);
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(calls).hasValue(2);
    assertThat(eye.counters().acknowledged()).isEqualTo(2);
  }

  @Test
  void countersAddUp() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        int n = TestSupport.events(request).size();
        // Every third request is refused; the rest are acknowledged.
        if (requests.incrementAndGet() % 3 == 0) {
          return error(400, "malformed_body");
        }
        return TestSupport.accepted(n);
      }
    });
    eye = clientFor(server).maxBatchEvents(7).listener(listener).build();

    int calls = 0;
    for (int i = 0; i < 100; i++) {
      calls++;
      eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
      if (i % 10 == 0) {
        calls++;
        eye.track(SESSION, " ", "pageview", null);
      }
    }
    eye.flush().get(10, TimeUnit.SECONDS);

    EyeCounters c = eye.counters();
    assertThat(c.tracked() + c.droppedTotal()).isEqualTo(calls);
    assertThat(c.tracked()).isEqualTo(100);
    assertThat(c.failed()).isPositive();
    assertThat(c.acknowledged()).isPositive();
    assertThat(c.tracked()).isEqualTo(c.acknowledged() + c.failed() + c.pending());
    assertThat(c.pending()).isZero();
    assertThat(c.acknowledged()).isEqualTo(c.accepted() + c.duplicates() + c.rejected());
    assertThat(c.sent() - c.retried()).isEqualTo(100);
    assertThat(deliveries.stream().mapToInt(d -> d.events().size()).sum()).isEqualTo(c.acknowledged());
    assertThat(failures.stream().mapToInt(f -> f.events().size()).sum()).isEqualTo(c.failed());
    assertThat(c.toString()).doesNotContain(SECRET);
  }
}
