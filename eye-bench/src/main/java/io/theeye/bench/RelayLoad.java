package io.theeye.bench;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Plays many browsers at once against an eye-web relay: each of N connections posts the snippet's
 * batches to {@code <shop>/eye/collect} back to back (a closed loop), as the snippet sends them — a
 * same-origin {@code Origin}, the session cookie, {@code {"sent_at", "events": [...]}} with the
 * brief's three event types — rotating over a pool of sessions so the relay's per-session state is
 * exercised as on a busy site.
 */
final class RelayLoad implements AutoCloseable {

  private static final MediaType JSON = MediaType.get("application/json");
  private static final String[] PATHS = {"/", "/products/iris-lamp", "/products/pupil-mug", "/checkout"};

  /** What one phase produced. */
  record Outcome(double seconds, long requests, long status204, long status429, long otherStatus, long ioErrors,
      long events, Histogram latencyMicros) {

    double requestsPerSecond() {
      return status204 / seconds;
    }

    double eventsPerSecond() {
      return events / seconds;
    }
  }

  private final OkHttpClient http;
  private final String origin;
  private final String host;
  private final String url;
  private final int eventsPerRequest;
  private final int sessions;
  private final AtomicLong relayedEver = new AtomicLong();

  /**
   * @param shopBaseUrl {@code http://H:N} of the shop
   * @param sessions distinct browser sessions each connection rotates over
   */
  RelayLoad(String shopBaseUrl, int connections, int eventsPerRequest, int sessions) {
    this.origin = shopBaseUrl;
    this.host = java.net.URI.create(shopBaseUrl).getHost();
    this.url = shopBaseUrl + "/eye/collect";
    this.eventsPerRequest = eventsPerRequest;
    this.sessions = sessions;
    this.http = LoadGenerator.httpClient(connections);
  }

  /** {@code GET path} of the shop: the body as served, gunzipped by OkHttp unless asked for raw bytes. */
  byte[] get(String path, boolean acceptGzip) throws IOException {
    Request.Builder request = new Request.Builder().url(origin + path);
    if (acceptGzip) {
      // Asking explicitly turns off OkHttp's transparent decompression: these are the bytes on the wire.
      request.header("Accept-Encoding", "gzip");
    }
    try (Response response = http.newCall(request.build()).execute()) {
      if (response.code() != 200 || response.body() == null) {
        throw new IOException("GET " + path + " answered " + response.code());
      }
      return response.body().bytes();
    }
  }

  /** Counters shared by the senders of one phase. */
  private static final class Tally {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong limited = new AtomicLong();
    final AtomicLong other = new AtomicLong();
    final AtomicLong ioErrors = new AtomicLong();
    final AtomicLong events = new AtomicLong();
    final Recorder latency = new Recorder(3);

    Outcome outcome(double seconds) {
      return new Outcome(seconds, requests.get(), ok.get(), limited.get(), other.get(), ioErrors.get(),
          events.get(), latency.getIntervalHistogram());
    }
  }

  /**
   * {@code connections} senders back to back for {@code warmup} (not counted) and then {@code
   * duration} (counted: requests sent inside the window), running {@code atMeasureStart} when the
   * window opens.
   */
  Outcome closedLoop(int connections, Duration warmup, Duration duration, Runnable atMeasureStart)
      throws InterruptedException {
    Tally warm = new Tally();
    Tally tally = new Tally();
    double seconds = LoadGenerator.closedLoop(connections, warmup, duration, atMeasureStart, c -> {
      Browsers browsers = new Browsers(sessions, 7000L + c);
      return (now, measured) -> send(browsers, now, measured ? tally : warm);
    });
    return tally.outcome(seconds);
  }

  /** Events the relay answered 204 for, over every phase including warm-ups. */
  long relayedEver() {
    return relayedEver.get();
  }

  private void send(Browsers browsers, long since, Tally tally) {
    String session = browsers.nextSession();
    Request request = new Request.Builder()
        .url(url)
        .header("Origin", origin)
        .header("Sec-Fetch-Site", "same-origin")
        .header("Cookie", "eye_sid=" + session)
        .post(RequestBody.create(browsers.body(session, host, eventsPerRequest), JSON))
        .build();
    tally.requests.incrementAndGet();
    int status;
    try (Response response = http.newCall(request).execute()) {
      status = response.code();
      if (response.body() != null) {
        response.body().bytes();
      }
      tally.latency.recordValue(Math.max(0, (System.nanoTime() - since) / 1000));
    } catch (IOException e) {
      tally.ioErrors.incrementAndGet();
      LoadGenerator.pause();
      return;
    }
    if (status == 204) {
      tally.ok.incrementAndGet();
      tally.events.addAndGet(eventsPerRequest);
      relayedEver.addAndGet(eventsPerRequest);
      return;
    }
    if (status == 429) {
      tally.limited.incrementAndGet();
    } else {
      tally.other.incrementAndGet();
    }
    LoadGenerator.pause();
  }

  /**
   * One sender's browsers: a pool of session ids taken in turn, and bodies in the snippet's format —
   * mostly page views, some clicks, a few form submits (field names, one captured value).
   */
  private static final class Browsers {
    private final String[] ids;
    private final SplittableRandom random;
    private final String tab;
    private int next;
    private long seq;

    Browsers(int sessions, long seed) {
      random = new SplittableRandom(seed);
      ids = new String[sessions];
      for (int i = 0; i < sessions; i++) {
        ids[i] = new UUID(random.nextLong(), random.nextLong()).toString();
      }
      tab = Long.toHexString(random.nextLong());
    }

    String nextSession() {
      String id = ids[next];
      next = (next + 1) % ids.length;
      return id;
    }

    byte[] body(String session, String host, int events) {
      String now = Instant.now().toString();
      StringBuilder b = new StringBuilder(256 * events).append("{\"sent_at\":\"").append(now)
          .append("\",\"events\":[");
      for (int i = 0; i < events; i++) {
        int kind = random.nextInt(10);
        String path = PATHS[random.nextInt(PATHS.length)];
        b.append(i == 0 ? "" : ",").append("{\"session_id\":\"").append(session).append("\",\"category\":\"")
            .append(kind < 9 ? "page interaction" : "form interaction").append("\",\"name\":\"")
            .append(kind < 6 ? "pageview" : kind < 9 ? "cta click" : "submit")
            .append("\",\"data\":{\"host\":\"").append(host).append("\",\"path\":\"").append(path).append('"');
        if (kind >= 6 && kind < 9) {
          b.append(",\"element\":\"buy now\"");
        } else if (kind == 9) {
          b.append(",\"form_id\":\"checkout\",\"form\":{\"delivery\":\"express\"},\"fields\":"
              + "[\"full_name\",\"email\",\"password\",\"delivery\"]");
        }
        b.append("},\"timestamp\":\"").append(now).append("\",\"seq\":").append(seq)
            .append(",\"id\":\"").append(tab).append('-').append(seq).append("\"}");
        seq++;
      }
      return b.append("]}").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
