package io.theeye.client.internal;

import io.theeye.client.EyeListener;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The settings of one client, checked by {@code EyeClient.Builder}. Internal, not for public use.
 *
 * @param eventsUrl the full URL of the ingestion endpoint
 * @param okHttpClient an injected client, or {@code null} to have one created (and owned)
 * @param retryScheduler an injected scheduler, or {@code null} to have one created (and owned)
 */
public record ClientConfig(
    HttpUrl eventsUrl,
    String keyId,
    byte[] secret,
    int maxQueueEvents,
    long maxQueueBytes,
    int maxBatchEvents,
    int maxBatchBytes,
    Duration flushInterval,
    int gzipThreshold,
    int maxInFlightBatches,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration maxRetryAfter,
    Duration retryBudget,
    Duration connectTimeout,
    Duration requestTimeout,
    Duration closeTimeout,
    int maxDataBytes,
    EyeListener listener,
    OkHttpClient okHttpClient,
    ScheduledExecutorService retryScheduler,
    Clock clock,
    boolean strict) {

  @Override
  public String toString() {
    // Never the secret.
    return "ClientConfig{eventsUrl=" + eventsUrl + ", keyId=" + keyId + ", maxQueueEvents=" + maxQueueEvents
        + ", maxQueueBytes=" + maxQueueBytes + ", maxBatchEvents=" + maxBatchEvents + ", maxBatchBytes="
        + maxBatchBytes + ", flushInterval=" + flushInterval + ", gzipThreshold=" + gzipThreshold
        + ", maxInFlightBatches=" + maxInFlightBatches + ", retryBudget=" + retryBudget + "}";
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
