package io.theeye.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.model.Event;
import io.theeye.model.EventReader;
import io.theeye.model.ParsedBatch;
import io.theeye.model.ParsedEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/** Helpers shared by the client's tests: decoding what was sent, a settable clock, a fast scheduler. */
final class TestSupport {

  static final String KEY_ID = "shop-web-1";
  static final String SECRET = "s3cr3t-for-tests-only";
  static final String SESSION = "e2085be5-9137-4e4e-80b5-f1ffddc25423";

  private TestSupport() {}

  /** A builder pointed at {@code server} with the test key. */
  static EyeClient.Builder clientFor(MockWebServer server) {
    return EyeClient.builder()
        .endpoint(server.url("/").toString())
        .keyId(KEY_ID)
        .secret(SECRET);
  }

  /** A {@code 202} acknowledging {@code n} new events. */
  static MockResponse accepted(int n) {
    return new MockResponse().setResponseCode(202)
        .setHeader("Content-Type", "application/json")
        .setBody("{\"received\":" + n + ",\"accepted\":" + n + ",\"rejected\":0,\"duplicates\":0}");
  }

  /** An error answer with the protocol's body. */
  static MockResponse error(int status, String code) {
    return new MockResponse().setResponseCode(status)
        .setHeader("Content-Type", "application/json")
        .setBody("{\"error\":\"" + code + "\",\"message\":\"test says " + code + "\"}");
  }

  /** The body as sent, un-gzipped if it was gzipped. */
  static byte[] body(RecordedRequest request) {
    byte[] raw = request.getBody().clone().readByteArray();
    if (!"gzip".equals(request.getHeader("Content-Encoding"))) {
      return raw;
    }
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The events of a request, all of which must be valid to eye-model's codec. */
  static List<Event> events(byte[] body) {
    ParsedBatch batch;
    try {
      batch = EventReader.withDefaults().parse(body);
    } catch (Exception e) {
      throw new AssertionError("the client sent a body the codec refuses", e);
    }
    List<Event> events = new ArrayList<>();
    for (ParsedEvent p : batch.events()) {
      assertThat(p).isInstanceOf(ParsedEvent.Valid.class);
      events.add(((ParsedEvent.Valid) p).event());
    }
    return events;
  }

  static List<Event> events(RecordedRequest request) {
    return events(body(request));
  }

  /** Takes the next request or fails if none arrives within 10 s. */
  static RecordedRequest take(MockWebServer server) throws InterruptedException {
    RecordedRequest r = server.takeRequest(10, TimeUnit.SECONDS);
    assertThat(r).as("a request reached the server").isNotNull();
    return r;
  }

  /**
   * A collector stand-in that accepts every request, answering a correct {@code 202}, and keeps the
   * events it received (in arrival order) and each request's raw body size.
   */
  static final class AcceptingDispatcher extends okhttp3.mockwebserver.Dispatcher {
    final List<Event> received = new CopyOnWriteArrayList<>();
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    final List<Long> wireSizes = new CopyOnWriteArrayList<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      wireSizes.add(request.getBodySize());
      List<Event> events = events(request);
      received.addAll(events);
      batchSizes.add(events.size());
      return accepted(events.size());
    }
  }

  /** A clock the test sets and moves. */
  static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /**
   * A scheduler that records each requested delay, moves the clock by it (virtual time), and runs the
   * task at once: retries happen immediately in real time while the client sees the waits pass.
   */
  static final class VirtualTimeScheduler extends ScheduledThreadPoolExecutor {
    final List<Long> delaysMillis = new CopyOnWriteArrayList<>();
    private final MutableClock clock;

    VirtualTimeScheduler(MutableClock clock) {
      super(1, r -> {
        Thread t = new Thread(r, "test-virtual-scheduler");
        t.setDaemon(true);
        return t;
      });
      this.clock = clock;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      long millis = unit.toMillis(delay);
      delaysMillis.add(millis);
      return super.schedule(() -> {
        clock.advance(Duration.ofMillis(millis));
        command.run();
      }, 0, TimeUnit.MILLISECONDS);
    }
  }
}
