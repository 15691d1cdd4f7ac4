package io.theeye.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.theeye.client.internal.NoDelaySocketFactory;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import javax.net.SocketFactory;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.xnio.Options;

/**
 * The "trivial local HTTP server" both clients send to: Undertow on 127.0.0.1 with TCP_NODELAY, which
 * reads each body, counts the events in it, and answers at once — {@code 202} with an {@code
 * IngestResult} body on {@code /v1/events} (The Eye), {@code 200 {"success":true}} anywhere else
 * (Segment posts to {@code /v1/import}). No signature check, no storage: the server should cost both
 * clients as little, and as equally, as possible.
 *
 * <p>Events are counted by scanning the (gunzipped) body for the one member every event carries and
 * nothing else does: {@code "event_id":} for The Eye, {@code "messageId":} for Segment. The benchmark
 * payloads contain neither string.
 */
final class TrivialServer implements AutoCloseable {

  private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

  private static final byte[] EYE_MARK = "\"event_id\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEGMENT_MARK = "\"messageId\":".getBytes(StandardCharsets.US_ASCII);
  private static final HttpString CONTENT_ENCODING = Headers.CONTENT_ENCODING;
  private static final MediaType JSON = MediaType.get("application/json");

  private final Undertow server;
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong wireBytes = new AtomicLong();
  private final AtomicLong gzipRequests = new AtomicLong();
  private volatile Target target;

  private record Target(long count, CompletableFuture<Long> reachedAtNanos) {}

  TrivialServer() {
    server = Undertow.builder()
        .addHttpListener(0, "127.0.0.1")
        .setIoThreads(2)
        .setSocketOption(Options.TCP_NODELAY, true)
        .setServerOption(io.undertow.UndertowOptions.ALWAYS_SET_KEEP_ALIVE, true)
        .setHandler(this::handle)
        .build();
    server.start();
  }

  /** The base URL, {@code http://127.0.0.1:<port>}. */
  String baseUrl() {
    InetSocketAddress address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
    return "http://127.0.0.1:" + address.getPort();
  }

  /** Events counted so far. */
  long events() {
    return events.get();
  }

  /** Requests answered so far. */
  long requests() {
    return requests.get();
  }

  /** Request body bytes received so far, as sent (compressed when gzipped). */
  long wireBytes() {
    return wireBytes.get();
  }

  /** Requests so far whose body was gzipped. */
  long gzipRequests() {
    return gzipRequests.get();
  }

  /**
   * A future completing with {@link System#nanoTime()} at the moment the event count first reaches
   * {@code count} (at once if it already has).
   */
  CompletableFuture<Long> whenReached(long count) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    target = new Target(count, f);
    if (events.get() >= count) {
      f.complete(System.nanoTime());
    }
    return f;
  }

  private void handle(HttpServerExchange exchange) {
    // receivePartialBytes, not receiveFullBytes: Undertow 2.3's receiveFullBytes copies the body one
    // byte at a time into a synchronized ByteArrayOutputStream, which showed as the server's hottest
    // frame. Counting is CPU only: fine on the IO thread for this trivial server.
    long length = exchange.getRequestContentLength();
    ByteArrayOutputStream body = new ByteArrayOutputStream(length > 0 ? (int) length : 8192);
    exchange.getRequestReceiver().receivePartialBytes((ex, chunk, last) -> {
      body.write(chunk, 0, chunk.length);
      if (last) {
        answer(ex, body.toByteArray());
      }
    });
  }

  private void answer(HttpServerExchange ex, byte[] body) {
    boolean eye = ex.getRequestPath().startsWith("/v1/events");
    boolean gzip = "gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst(CONTENT_ENCODING));
    int n;
    try {
      byte[] plain = gzip ? gunzip(body) : body;
      n = count(plain, eye ? EYE_MARK : SEGMENT_MARK);
    } catch (IOException e) {
      ex.setStatusCode(400);
      ex.getResponseSender().send("{\"error\":\"malformed_body\",\"message\":\"bad gzip\"}");
      return;
    }
    requests.incrementAndGet();
    wireBytes.addAndGet(body.length);
    if (gzip) {
      gzipRequests.incrementAndGet();
    }
    long total = events.addAndGet(n);
    Target t = target;
    if (t != null && total >= t.count() && !t.reachedAtNanos().isDone()) {
      t.reachedAtNanos().complete(System.nanoTime());
    }
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    if (eye) {
      ex.setStatusCode(202);
      ex.getResponseSender().send(
          "{\"received\":" + n + ",\"accepted\":" + n + ",\"rejected\":0,\"duplicates\":0}");
    } else {
      ex.setStatusCode(200);
      ex.getResponseSender().send("{\"success\":true}");
    }
  }

  private static byte[] gunzip(byte[] body) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body), 8192)) {
      return in.readAllBytes();
    }
  }

  static int count(byte[] body, byte[] mark) {
    int n = 0;
    outer:
    for (int i = 0, last = body.length - mark.length; i <= last; i++) {
      if (body[i] != mark[0]) {
        continue;
      }
      for (int j = 1; j < mark.length; j++) {
        if (body[i + j] != mark[j]) {
          continue outer;
        }
      }
      n++;
      i += mark.length - 1;
    }
    return n;
  }

  /**
   * Sends the server {@code requests} bodies in each client's format (a gzipped 500-event batch of The
   * Eye's, an uncompressed 223-event batch of Segment's) from this JVM, so that Undertow's and this
   * class's code is compiled before any client is measured. Without it the first child run — always
   * the same client, since pairs run in a fixed order — shared the two cores with the server's JIT.
   *
   * @return the events the server counted
   */
  long warmUp(int requests) throws IOException {
    BatchFactory eye = new BatchFactory(500, 4, 99);
    List<Map<String, Object>> batch = new ArrayList<>();
    for (int i = 0; i < 223; i++) {
      batch.add(Map.of("type", "track", "event", "pageview", "messageId", Integer.toString(i),
          "properties", Map.of("host", "www.ca.com", "path", "/")));
    }
    RequestBody segmentBody = RequestBody.create(JSON_MAPPER.writeValueAsBytes(Map.of("batch", batch)), JSON);
    OkHttpClient http = new OkHttpClient.Builder().socketFactory(new NoDelaySocketFactory(SocketFactory.getDefault())).build();
    long before = events.get();
    try {
      for (int i = 0; i < requests; i++) {
        post(http, new Request.Builder().url(baseUrl() + "/v1/events").header("Content-Encoding", "gzip")
            .post(RequestBody.create(gzip(eye.next(System.currentTimeMillis() * 1000)), JSON)).build());
        post(http, new Request.Builder().url(baseUrl() + "/v1/import").post(segmentBody).build());
      }
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
    return events.get() - before;
  }

  private static void post(OkHttpClient http, Request request) throws IOException {
    try (Response response = http.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        throw new IOException("warm-up request answered " + response.code());
      }
    }
  }

  private static byte[] gzip(byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(body);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    server.stop();
  }
}
