package io.theeye.client;

import static io.theeye.client.TestSupport.SECRET;
import static io.theeye.client.TestSupport.SESSION;
import static io.theeye.client.TestSupport.accepted;
import static io.theeye.client.TestSupport.clientFor;
import static io.theeye.client.TestSupport.error;
import static io.theeye.client.TestSupport.take;
import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.client.EyeListener.Failure;
import io.theeye.client.EyeListener.FailureReason;
import io.theeye.client.TestSupport.MutableClock;
import io.theeye.client.TestSupport.VirtualTimeScheduler;
import io.theeye.client.internal.Internal;
import io.theeye.model.Event;
import io.theeye.model.EyeProtocol;
import io.theeye.model.Signatures.SignatureVerifier;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class RetryTest extends MockCollectorTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
  private final VirtualTimeScheduler scheduler = new VirtualTimeScheduler(clock);
  private final List<Failure> failures = new CopyOnWriteArrayList<>();
  private final List<EyeListener.Delivery> deliveries = new CopyOnWriteArrayList<>();

  @Override
  protected void afterClientClosed() {
    scheduler.shutdownNow();
  }

  private EyeClient.Builder client() {
    return clientFor(server)
        .clock(clock)
        .flushInterval(Duration.ofHours(1))
        .listener(new EyeListener() {
          @Override
          public void onDelivered(Delivery delivery) {
            deliveries.add(delivery);
          }

          @Override
          public void onFailed(Failure failure) {
            failures.add(failure);
          }
        });
  }

  /** Builds with the virtual-time scheduler, a setting only the internals have. */
  private EyeClient build(EyeClient.Builder builder) {
    Internal internal = Internal.instance();
    return internal.newClient(internal.config(builder).retryScheduler(scheduler).build());
  }

  private void trackThree() {
    for (int i = 0; i < 3; i++) {
      eye.track(SESSION, "page interaction", "pageview", Map.of("i", i));
    }
  }

  @Test
  void retriesKeepTheSameEventIdsAndBodyAndSignEachAttemptAfresh() throws Exception {
    server.enqueue(error(503, "overloaded").setHeader("Retry-After", "2"));
    server.enqueue(error(500, "internal_error").setHeader("Retry-After", "3"));
    server.enqueue(accepted(3));
    eye = build(client());

    trackThree();
    eye.flush().get(10, TimeUnit.SECONDS);

    List<RecordedRequest> requests = List.of(take(server), take(server), take(server));
    List<List<String>> ids = new ArrayList<>();
    for (RecordedRequest r : requests) {
      ids.add(TestSupport.events(r).stream().map(Event::eventId).toList());
    }
    assertThat(ids.get(0)).hasSize(3).doesNotHaveDuplicates();
    assertThat(ids).allMatch(ids.get(0)::equals);
    assertThat(requests).extracting(r -> r.getBody().clone().readUtf8()).containsOnly(
        requests.get(0).getBody().clone().readUtf8());
    // The virtual clock moved between attempts, so each signature carries a new t and still verifies.
    assertThat(requests).extracting(r -> r.getHeader(EyeProtocol.HEADER_SIGNATURE)).doesNotHaveDuplicates();
    SignatureVerifier verifier = new SignatureVerifier(clock, Duration.ofSeconds(300));
    RecordedRequest last = requests.get(2);
    assertThat(verifier.verify(last.getHeader(EyeProtocol.HEADER_SIGNATURE),
        SECRET.getBytes(StandardCharsets.UTF_8), last.getBody().clone().readByteArray()))
        .isEqualTo(SignatureVerifier.Result.VALID);

    EyeCounters c = eye.counters();
    assertThat(c.sent()).isEqualTo(9);
    assertThat(c.retried()).isEqualTo(6);
    assertThat(c.acknowledged()).isEqualTo(3);
    assertThat(deliveries).singleElement().extracting(EyeListener.Delivery::attempts).isEqualTo(3);
  }

  @Test
  void honoursRetryAfterInSeconds() throws Exception {
    server.enqueue(error(503, "overloaded").setHeader("Retry-After", "7"));
    server.enqueue(accepted(3));
    eye = build(client());

    trackThree();
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(scheduler.delaysMillis).containsExactly(7_000L);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void honoursRetryAfterAsAnHttpDate() throws Exception {
    // The clock reads 2030-01-01T00:00:00Z, a Tuesday.
    server.enqueue(error(429, "overloaded").setHeader("Retry-After", "Tue, 01 Jan 2030 00:00:09 GMT"));
    server.enqueue(accepted(3));
    eye = build(client());

    trackThree();
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(scheduler.delaysMillis).containsExactly(9_000L);
  }

  @Test
  void capsALongRetryAfter() throws Exception {
    server.enqueue(error(503, "shutting_down").setHeader("Retry-After", "86400"));
    server.enqueue(accepted(3));
    eye = build(client().maxRetryAfter(Duration.ofSeconds(20)));

    trackThree();
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(scheduler.delaysMillis).containsExactly(20_000L);
  }

  @Test
  void backsOffWhenRetryAfterAsksForNoWaitAtAll() throws Exception {
    // (A 503 with Retry-After: 0 would be retried once by OkHttp itself, so these are 429s.)
    server.enqueue(error(429, "overloaded").setHeader("Retry-After", "0"));
    server.enqueue(error(429, "overloaded").setHeader("Retry-After", "Tue, 01 Jan 2030 00:00:00 GMT"));
    server.enqueue(accepted(3));
    eye = build(client().retryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(60)));

    trackThree();
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(scheduler.delaysMillis).hasSize(2).allMatch(d -> d >= 500);
  }

  @Test
  void backsOffExponentiallyWithJitterWithoutRetryAfter() throws Exception {
    for (int i = 0; i < 4; i++) {
      server.enqueue(error(500, "internal_error"));
    }
    server.enqueue(accepted(3));
    eye = build(client().retryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(60)));

    trackThree();
    eye.flush().get(10, TimeUnit.SECONDS);

    // Nominal waits 1, 2, 4, 8 s, each drawn within ±50%.
    assertThat(scheduler.delaysMillis).hasSize(4);
    assertThat(scheduler.delaysMillis.get(0)).isBetween(500L, 1_500L);
    assertThat(scheduler.delaysMillis.get(1)).isBetween(1_000L, 3_000L);
    assertThat(scheduler.delaysMillis.get(2)).isBetween(2_000L, 6_000L);
    assertThat(scheduler.delaysMillis.get(3)).isBetween(4_000L, 12_000L);
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 429, 500, 502, 503, 504})
  void retriesTransientStatuses(int status) throws Exception {
    server.enqueue(new MockResponse().setResponseCode(status));
    server.enqueue(accepted(3));
    eye = build(client());

    trackThree();
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(eye.counters().acknowledged()).isEqualTo(3);
    assertThat(failures).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"400,malformed_body", "401,unauthorized", "413,payload_too_large",
      "415,unsupported_media_type", "404,not_found"})
  void neverRetriesWhatRetryingCannotFix(int status, String code) throws Exception {
    server.enqueue(error(status, code));
    server.enqueue(accepted(3));
    eye = build(client());

    trackThree();
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(scheduler.delaysMillis).isEmpty();
    Failure failure = failures.get(0);
    assertThat(failure.reason()).isEqualTo(FailureReason.REFUSED);
    assertThat(failure.status()).isEqualTo(status);
    assertThat(failure.errorCode()).isEqualTo(code);
    assertThat(failure.events()).hasSize(3);
    assertThat(failure.attempts()).isEqualTo(1);
    assertThat(failure.message()).contains(String.valueOf(status)).contains(code).doesNotContain(SECRET);
    EyeCounters c = eye.counters();
    assertThat(c.failed()).isEqualTo(3);
    assertThat(c.pending()).isZero();
  }

  @Test
  void reportsTheBatchFailedOnceTheRetryBudgetIsSpent() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return error(503, "overloaded");
      }
    });
    eye = build(client()
        .retryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(4))
        .retryBudget(Duration.ofSeconds(30)));

    trackThree();
    eye.flush().get(10, TimeUnit.SECONDS);

    Failure failure = failures.get(0);
    assertThat(failure.reason()).isEqualTo(FailureReason.RETRIES_EXHAUSTED);
    assertThat(failure.status()).isEqualTo(503);
    assertThat(failure.errorCode()).isEqualTo("overloaded");
    assertThat(failure.attempts()).isEqualTo(server.getRequestCount()).isGreaterThan(5);
    long waited = scheduler.delaysMillis.stream().mapToLong(Long::longValue).sum();
    assertThat(waited).isLessThanOrEqualTo(30_000L).isGreaterThan(30_000L - 6_000L);
    assertThat(scheduler.delaysMillis).hasSize(failure.attempts() - 1);
    EyeCounters c = eye.counters();
    assertThat(c.failed()).isEqualTo(3);
    assertThat(c.acknowledged()).isZero();
    assertThat(c.pending()).isZero();
  }

  @Test
  void retriesConnectionFailuresAndReportsTheLastOne() throws Exception {
    MockWebServer down = new MockWebServer();
    down.start();
    String url = down.url("/").toString();
    down.shutdown();
    eye = build(client()
        .endpoint(url)
        .retryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
        .retryBudget(Duration.ofSeconds(5)));

    trackThree();
    eye.flush().get(10, TimeUnit.SECONDS);

    Failure failure = failures.get(0);
    assertThat(failure.reason()).isEqualTo(FailureReason.RETRIES_EXHAUSTED);
    assertThat(failure.status()).isZero();
    assertThat(failure.cause()).isInstanceOf(ConnectException.class);
    assertThat(failure.attempts()).isGreaterThan(1);
  }

  @Test
  void aZeroRetryBudgetMeansOneAttempt() throws Exception {
    server.enqueue(error(503, "overloaded").setHeader("Retry-After", "1"));
    eye = build(client().retryBudget(Duration.ZERO));

    trackThree();
    eye.flush().get(10, TimeUnit.SECONDS);

    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(failures).singleElement().extracting(Failure::reason).isEqualTo(FailureReason.RETRIES_EXHAUSTED);
  }
}
