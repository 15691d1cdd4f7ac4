package io.theeye.spring.boot;

import io.theeye.client.DropReason;
import io.theeye.client.EyeClient;
import io.theeye.client.EyeCounters;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The Actuator health of The Eye from this application's side: {@code DOWN} when the collector does
 * not answer its {@code /ready} check with {@code 200} in time (unreachable, its database not
 * writable, its queue full), or when the client's buffer is full (new events are being dropped).
 *
 * <p>Details: {@code collector} ({@code ready}, {@code answered 503}, {@code unreachable: ...}) and
 * {@code collector.url} (the URL checked), {@code buffer.pending},
 * {@code buffer.capacity} and {@code buffer.fill} (pending / capacity, 0 to 1), and the counters
 * {@code tracked}, {@code acknowledged}, {@code failed} and {@code dropped}.
 */
public class EyeHealthIndicator extends AbstractHealthIndicator implements DisposableBean {

  private final EyeClient client;
  private final HttpUrl readyUrl;
  private final int bufferCapacity;
  private final OkHttpClient http;

  /**
   * @param client the client whose buffer to report
   * @param endpoint the collector's base URL (as given to the client), or {@code null} to report the
   *     buffer alone
   * @param bufferCapacity the client's {@code maxQueueEvents}
   * @param timeout how long to wait for the collector's answer
   */
  public EyeHealthIndicator(EyeClient client, String endpoint, int bufferCapacity, Duration timeout) {
    super("The Eye's health check failed");
    this.client = Objects.requireNonNull(client, "client");
    this.readyUrl = endpoint == null ? null
        : Objects.requireNonNull(HttpUrl.parse(endpoint.trim()), "endpoint").newBuilder()
            .addPathSegment("ready").build();
    this.bufferCapacity = bufferCapacity;
    this.http = new OkHttpClient.Builder()
        .callTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .retryOnConnectionFailure(false)
        .build();
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    builder.up();
    EyeCounters counters = client.counters();
    if (counters.pending() >= bufferCapacity) {
      builder.down().withDetail("buffer", "full: new events are dropped");
    }
    builder.withDetail("buffer.pending", counters.pending())
        .withDetail("buffer.capacity", bufferCapacity)
        .withDetail("buffer.fill", Math.min(1.0, (double) counters.pending() / bufferCapacity))
        .withDetail("tracked", counters.tracked())
        .withDetail("acknowledged", counters.acknowledged())
        .withDetail("failed", counters.failed())
        .withDetail("dropped", counters.droppedTotal())
        .withDetail("dropped.queueFull", counters.dropped(DropReason.QUEUE_FULL));
    if (readyUrl == null) {
      builder.withDetail("collector", "not checked: eye.endpoint is not set");
      return;
    }
    builder.withDetail("collector.url", readyUrl.toString());
    Request request = new Request.Builder().url(readyUrl).get().build();
    try (Response response = http.newCall(request).execute()) {
      if (response.code() == 200) {
        builder.withDetail("collector", "ready");
      } else {
        builder.down().withDetail("collector", "answered " + response.code());
      }
    } catch (IOException e) {
      builder.down().withDetail("collector", "unreachable: " + e);
    }
  }

  /** Releases the health check's connections (the client itself is closed by its own bean). */
  @Override
  public void destroy() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
