package io.theeye.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import io.theeye.client.internal.NoDelaySocketFactory;
import io.theeye.model.EyeProtocol;
import io.theeye.model.Signatures;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.concurrent.locks.LockSupport;
import javax.net.SocketFactory;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives a collector over HTTP with signed request bodies from {@link BatchFactory}: either a closed
 * loop (each of N connections sends its next request as soon as the previous one is answered — the
 * sustained-throughput figure), or an open loop at a fixed rate whose latencies are measured from each
 * request's intended start, so a stalled collector cannot hide its stall by slowing the sender
 * (coordinated omission).
 *
 * <p>Every request is signed afresh ({@code t} = now) over its exact bytes with eye-model's {@link
 * Signatures}. OkHttp with TCP_NODELAY sockets, HTTP/1.1, one pooled connection per sender.
 */
final class LoadGenerator implements AutoCloseable {

  private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

  private static final MediaType JSON = MediaType.get("application/json");

  /** What one phase of load produced. */
  record Outcome(double seconds, long requests, long status202, long status503, long otherStatus,
      long ioErrors, long eventsSent, long eventsAccepted, long duplicates, long rejected, Histogram latencyMicros) {

    double acceptedPerSecond() {
      return eventsAccepted / seconds;
    }
  }

  private final OkHttpClient http;
  private final String url;
  private final String keyId;
  private final byte[] secret;
  private final int eventsPerRequest;
  private final int closedLoopSessions;
  private final AtomicLong acceptedEver = new AtomicLong();

  LoadGenerator(String baseUrl, String keyId, byte[] secret, int connections, int eventsPerRequest) {
    this(baseUrl, keyId, secret, connections, eventsPerRequest, 0);
  }

  /**
   * As {@link #LoadGenerator(String, String, byte[], int, int)}; with {@code closedLoopSessions > 0} the
   * closed loop's events all belong to that many fixed sessions shared by every sender (the open loop
   * keeps the usual pool of short sessions).
   */
  LoadGenerator(String baseUrl, String keyId, byte[] secret, int connections, int eventsPerRequest,
      int closedLoopSessions) {
    this.closedLoopSessions = closedLoopSessions;
    this.url = baseUrl + EyeProtocol.EVENTS_PATH;
    this.keyId = keyId;
    this.secret = secret.clone();
    this.eventsPerRequest = eventsPerRequest;
    this.http = httpClient(connections);
  }

  /** OkHttp as every load generator here uses it: TCP_NODELAY, HTTP/1.1, one pooled connection per sender. */
  static OkHttpClient httpClient(int connections) {
    return new OkHttpClient.Builder()
        .socketFactory(new NoDelaySocketFactory(SocketFactory.getDefault()))
        .protocols(List.of(Protocol.HTTP_1_1))
        .connectionPool(new ConnectionPool(connections, 5, TimeUnit.MINUTES))
        .connectTimeout(Duration.ofSeconds(10))
        .readTimeout(Duration.ofSeconds(60))
        .writeTimeout(Duration.ofSeconds(60))
        .retryOnConnectionFailure(false)
        .build();
  }

  /** Counters shared by the senders of one phase. */
  private static final class Tally {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong overloaded = new AtomicLong();
    final AtomicLong other = new AtomicLong();
    final AtomicLong ioErrors = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final Recorder latency = new Recorder(3);
    /** When set, every measured request as {intended send, epoch ms; latency, µs}. */
    final Queue<long[]> timeline;

    Tally() {
      this(false);
    }

    Tally(boolean timeline) {
      this.timeline = timeline ? new ConcurrentLinkedQueue<>() : null;
    }

    Outcome outcome(double seconds) {
      return new Outcome(seconds, requests.get(), ok.get(), overloaded.get(), other.get(), ioErrors.get(),
          sent.get(), accepted.get(), duplicates.get(), rejected.get(), latency.getIntervalHistogram());
    }
  }

  /**
   * Closed loop: {@code connections} senders, each sending back to back for {@code warmup} (not
   * counted) and then {@code duration} (counted: requests answered inside the window).
   */
  Outcome closedLoop(int connections, Duration warmup, Duration duration) throws InterruptedException {
    return closedLoop(connections, warmup, duration, () -> { });
  }

  /** As {@link #closedLoop(int, Duration, Duration)}, running {@code atMeasureStart} when the window opens. */
  Outcome closedLoop(int connections, Duration warmup, Duration duration, Runnable atMeasureStart)
      throws InterruptedException {
    Tally warm = new Tally();
    Tally tally = new Tally();
    double seconds = closedLoop(connections, warmup, duration, atMeasureStart, c -> {
      BatchFactory factory = new BatchFactory(eventsPerRequest, 32, 1000L + c, closedLoopSessions);
      return (now, measured) -> send(factory, now, measured ? tally : warm);
    });
    return tally.outcome(seconds);
  }

  /** One sender of a closed loop: sends one request at {@code now}, counted when {@code measured}. */
  interface Sender {
    void send(long now, boolean measured);
  }

  /**
   * The closed loop itself, for any kind of request: {@code connections} threads, each with its own
   * {@link Sender} from {@code senders} (given the thread's index), sending back to back for {@code
   * warmup} (not measured) and then {@code duration} (measured: requests sent inside the window); runs
   * {@code atMeasureStart} when the window opens.
   *
   * @return the measured window's length in seconds
   */
  static double closedLoop(int connections, Duration warmup, Duration duration, Runnable atMeasureStart,
      IntFunction<Sender> senders) throws InterruptedException {
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + duration.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Sender sender = senders.apply(c);
      Thread t = new Thread(() -> {
        long now;
        while ((now = System.nanoTime()) < end) {
          // A request counts in the phase it was sent in.
          sender.send(now, now >= measureFrom);
        }
      }, "eye-bench-load-" + c);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    long untilWindow;
    while ((untilWindow = measureFrom - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(untilWindow);
    }
    atMeasureStart.run();
    for (Thread t : threads) {
      t.join();
    }
    return (System.nanoTime() - measureFrom) / 1e9;
  }

  /** As {@link #fixedRate(int, double, Duration, Duration)} with no warm-up. */
  Outcome fixedRate(int connections, double eventsPerSecond, Duration duration) throws InterruptedException {
    return fixedRate(connections, eventsPerSecond, Duration.ZERO, duration);
  }

  /**
   * Open loop at {@code eventsPerSecond}: one request every {@code eventsPerRequest / eventsPerSecond}
   * seconds, whatever happened to the previous ones, for {@code warmup} (sent, not measured) and then
   * {@code duration} (measured); latency counts from the intended send time.
   *
   * <p>The generator keeps its own delays out of the figure as far as it can, since each of them counts
   * as the collector's:
   *
   * <ul>
   *   <li>Everything is made before the first request is due: {@code connections} sending threads,
   *       each with its own body factory (made lazily, on each thread's first request, a factory's
   *       thousands of template events put several milliseconds into over 5% of a 60 s run's
   *       requests), then a full GC, so that the factories' templates are not copied by a young
   *       collection in the middle of the run (measured: a 67 ms pause of the generator).
   *   <li>Sending thread {@code j} sends requests {@code j}, {@code j + connections}, … itself, each at
   *       its due time: no hand-off from a scheduling thread, whose wake-up cost 3–4 ms on this 2-core
   *       machine when both cores were busy.
   *   <li>Each thread makes and signs its next body as soon as it has sent the previous one, not when
   *       the next is due, as an application's client has its batch ready; the signature's time is then
   *       up to {@code connections} intervals old, well inside the collector's 300 s window.
   * </ul>
   */
  Outcome fixedRate(int connections, double eventsPerSecond, Duration warmup, Duration duration)
      throws InterruptedException {
    long interval = (long) (1e9 * eventsPerRequest / eventsPerSecond);
    Tally warm = new Tally();
    Tally tally = new Tally(true);
    List<BatchFactory> factories = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      factories.add(new BatchFactory(eventsPerRequest, 32, 2000L + c));
    }
    System.gc();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
    long startMillis = System.currentTimeMillis() + 100;
    long measureFrom = start + warmup.toNanos();
    long count = (warmup.toNanos() + duration.toNanos()) / interval;
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      int first = c;
      BatchFactory factory = factories.get(c);
      Thread t = new Thread(() -> {
        Request next = request(factory);
        for (long k = first; k < count; k += connections) {
          long intended = start + k * interval;
          long wait;
          while ((wait = intended - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
          }
          send(next, factory.events(), intended, intended >= measureFrom ? tally : warm);
          next = request(factory);
        }
      }, "eye-bench-rate-" + c);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    lastSlowest = tally.timeline.stream()
        .sorted(Comparator.comparingLong((long[] r) -> r[1]).reversed())
        .limit(SLOWEST)
        .map(r -> new Slow(Instant.ofEpochMilli(startMillis + (r[0] - start) / 1_000_000), r[1] / 1000.0))
        .toList();
    return tally.outcome((System.nanoTime() - measureFrom) / 1e9);
  }

  /** One slow request of an open loop: when it was due, and how long its answer took from then. */
  record Slow(Instant due, double millis) { }

  private static final int SLOWEST = 12;

  private volatile List<Slow> lastSlowest = List.of();

  /**
   * The slowest requests of the last {@link #fixedRate} run's measured window, slowest first: to line
   * them up with the collector's GC log and checkpoints.
   */
  List<Slow> slowestOfLastFixedRate() {
    return lastSlowest;
  }

  /** Sends one body and records its latency from {@code since}. */
  private void send(BatchFactory factory, long since, Tally tally) {
    send(request(factory), factory.events(), since, tally);
  }

  /** The next body of {@code factory} as a signed request ({@code t} = now). */
  private Request request(BatchFactory factory) {
    byte[] body = factory.next(System.currentTimeMillis() * 1000L);
    long t = System.currentTimeMillis() / 1000L;
    return new Request.Builder()
        .url(url)
        .header(EyeProtocol.HEADER_KEY_ID, keyId)
        .header(EyeProtocol.HEADER_SIGNATURE, Signatures.header(secret, t, body))
        .post(RequestBody.create(body, JSON))
        .build();
  }

  /** Sends a request of {@code events} events and records its latency from {@code since}. */
  private void send(Request request, int events, long since, Tally tally) {
    tally.requests.incrementAndGet();
    tally.sent.addAndGet(events);
    int status;
    try (Response response = http.newCall(request).execute()) {
      status = response.code();
      byte[] answer = response.body() == null ? new byte[0] : response.body().bytes();
      long finished = System.nanoTime();
      long micros = Math.max(0, (finished - since) / 1000);
      tally.latency.recordValue(micros);
      if (tally.timeline != null) {
        tally.timeline.add(new long[] {since, micros});
      }
      if (status == 202) {
        tally.ok.incrementAndGet();
        JsonNode result = JSON_MAPPER.readTree(answer);
        long accepted = result.path("accepted").asLong();
        tally.accepted.addAndGet(accepted);
        acceptedEver.addAndGet(accepted);
        tally.duplicates.addAndGet(result.path("duplicates").asLong());
        tally.rejected.addAndGet(result.path("rejected").asLong());
        return;
      }
    } catch (IOException e) {
      tally.ioErrors.incrementAndGet();
      pause();
      return;
    }
    if (status == 503) {
      tally.overloaded.incrementAndGet();
    } else {
      tally.other.incrementAndGet();
    }
    // A real sender backs off on 503 (the collector asks for Retry-After seconds); a short pause keeps
    // this one from spinning while still probing for room at once.
    pause();
  }

  static void pause() {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
  }

  /** Events the collector acknowledged as accepted, over every phase including warm-ups. */
  long acceptedEver() {
    return acceptedEver.get();
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
