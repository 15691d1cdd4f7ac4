package io.theeye.collector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import io.theeye.model.EyeProtocol;
import io.theeye.model.Signatures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.zip.GZIPOutputStream;

/** Signs and sends requests to a collector the way an application would, over real HTTP. */
final class TestSender {

  private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private final URI base;

  TestSender(URI base) {
    this.base = base;
  }

  TestSender(Collector collector) {
    this(collector.uri());
  }

  /** What came back. */
  record Answer(int status, String body, Map<String, java.util.List<String>> headers) {
    JsonNode json() {
      try {
        return JSON_MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String error() {
      return json().path("error").asText();
    }

    OptionalInt retryAfter() {
      var values = headers.entrySet().stream()
          .filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals("retry-after"))
          .findFirst();
      return values.map(e -> OptionalInt.of(Integer.parseInt(e.getValue().get(0)))).orElse(OptionalInt.empty());
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  /** Signs {@code body} with {@code keyId}/{@code secret} now and posts it as JSON. */
  Answer post(String keyId, String secret, String body) {
    return post(keyId, secret, body.getBytes(StandardCharsets.UTF_8), false);
  }

  /** Signs and posts bytes, gzip-labelled when {@code gzip}. */
  Answer post(String keyId, String secret, byte[] body, boolean gzip) {
    HttpRequest.Builder r = request(body)
        .header("Content-Type", "application/json")
        .header(EyeProtocol.HEADER_KEY_ID, keyId)
        .header(EyeProtocol.HEADER_SIGNATURE, Signatures.header(secret.getBytes(StandardCharsets.UTF_8),
            Instant.now().getEpochSecond(), body));
    if (gzip) {
      r.header("Content-Encoding", "gzip");
    }
    return send(r.build());
  }

  /** Posts with exactly the given headers (name, value, name, value, ...). */
  Answer postRaw(byte[] body, String... headers) {
    HttpRequest.Builder r = request(body);
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return send(r.build());
  }

  /** A GET. */
  Answer get(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build());
  }

  /** Any method without a body. */
  Answer method(String method, String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
        .method(method, HttpRequest.BodyPublishers.noBody()).build());
  }

  private HttpRequest.Builder request(byte[] body) {
    return HttpRequest.newBuilder(base.resolve(EyeProtocol.EVENTS_PATH))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
  }

  private static Answer send(HttpRequest request) {
    try {
      HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body(), response.headers().map());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ bodies

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** One event's JSON; {@code eventId} and {@code seq} may be null; {@code data} is JSON text. */
  static String event(String eventId, String sessionId, String category, String name, String timestamp,
      Long seq, String data) {
    StringBuilder b = new StringBuilder("{");
    if (eventId != null) {
      b.append("\"event_id\":\"").append(eventId).append("\",");
    }
    b.append("\"session_id\":\"").append(sessionId).append("\",")
        .append("\"category\":\"").append(category).append("\",")
        .append("\"name\":\"").append(name).append("\",")
        .append("\"timestamp\":\"").append(timestamp).append("\"");
    if (seq != null) {
      b.append(",\"seq\":").append(seq);
    }
    if (data != null) {
      b.append(",\"data\":").append(data);
    }
    return b.append("}").toString();
  }

  /** A valid pageview. */
  static String pageview(String eventId, String sessionId, String timestamp) {
    return event(eventId, sessionId, "page interaction", "pageview", timestamp, null,
        "{\"host\":\"www.ca.com\",\"path\":\"/\"}");
  }

  /** {@code {"events": [...]}}. */
  static String batch(String... events) {
    return "{\"events\":[" + String.join(",", events) + "]}";
  }
}
