package io.theeye.client.internal;

import io.theeye.client.EyeListener;
import io.theeye.client.Overflow;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The settings of one client, checked by {@code EyeClient.Builder} and handed over through
 * {@link #builder()}, one named setting at a time. Internal, not for public use.
 */
public final class ClientConfig {
  private final HttpUrl eventsUrl;
  private final String keyId;
  private final byte[] secret;
  private final int maxQueueEvents;
  private final long maxQueueBytes;
  private final int maxBatchEvents;
  private final int maxBatchBytes;
  private final Duration flushInterval;
  private final int gzipThreshold;
  private final int maxInFlightBatches;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration maxRetryAfter;
  private final Duration retryBudget;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Duration closeTimeout;
  private final int maxDataBytes;
  private final EyeListener listener;
  private final OkHttpClient okHttpClient;
  private final ScheduledExecutorService retryScheduler;
  private final Clock clock;
  private final boolean strict;
  private final Overflow overflow;
  private final Duration outboxRetryInterval;
  private final long outboxSegmentBytes;
  private final Duration outboxSyncInterval;
  private final long outboxMaxBytes;
  private final Path outboxDir;

  private ClientConfig(Builder b) {
    this.eventsUrl = b.eventsUrl;
    this.keyId = b.keyId;
    this.secret = b.secret;
    this.maxQueueEvents = b.maxQueueEvents;
    this.maxQueueBytes = b.maxQueueBytes;
    this.maxBatchEvents = b.maxBatchEvents;
    this.maxBatchBytes = b.maxBatchBytes;
    this.flushInterval = b.flushInterval;
    this.gzipThreshold = b.gzipThreshold;
    this.maxInFlightBatches = b.maxInFlightBatches;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.maxRetryAfter = b.maxRetryAfter;
    this.retryBudget = b.retryBudget;
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.closeTimeout = b.closeTimeout;
    this.maxDataBytes = b.maxDataBytes;
    this.listener = b.listener;
    this.okHttpClient = b.okHttpClient;
    this.retryScheduler = b.retryScheduler;
    this.clock = b.clock;
    this.strict = b.strict;
    this.overflow = b.overflow;
    this.outboxRetryInterval = b.outboxRetryInterval;
    this.outboxSegmentBytes = b.outboxSegmentBytes;
    this.outboxSyncInterval = b.outboxSyncInterval;
    this.outboxMaxBytes = b.outboxMaxBytes;
    this.outboxDir = b.outboxDir;
  }

  /** A builder with nothing set; {@code EyeClient.Builder} sets every setting. */
  public static Builder builder() {
    return new Builder();
  }

  /** The full URL of the ingestion endpoint. */
  public HttpUrl eventsUrl() {
    return eventsUrl;
  }

  public String keyId() {
    return keyId;
  }

  /** The key's secret; the config keeps the array it is given. */
  public byte[] secret() {
    return secret;
  }

  public int maxQueueEvents() {
    return maxQueueEvents;
  }

  public long maxQueueBytes() {
    return maxQueueBytes;
  }

  public int maxBatchEvents() {
    return maxBatchEvents;
  }

  public int maxBatchBytes() {
    return maxBatchBytes;
  }

  public Duration flushInterval() {
    return flushInterval;
  }

  public int gzipThreshold() {
    return gzipThreshold;
  }

  public int maxInFlightBatches() {
    return maxInFlightBatches;
  }

  public Duration initialBackoff() {
    return initialBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  public Duration maxRetryAfter() {
    return maxRetryAfter;
  }

  public Duration retryBudget() {
    return retryBudget;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  public Duration closeTimeout() {
    return closeTimeout;
  }

  public int maxDataBytes() {
    return maxDataBytes;
  }

  public EyeListener listener() {
    return listener;
  }

  /** An injected client, or {@code null} to have one created (and owned). */
  public OkHttpClient okHttpClient() {
    return okHttpClient;
  }

  /** An injected scheduler, or {@code null} to have one created (and owned). */
  public ScheduledExecutorService retryScheduler() {
    return retryScheduler;
  }

  public Clock clock() {
    return clock;
  }

  public boolean strict() {
    return strict;
  }

  /** What track() does when the buffer is full. */
  public Overflow overflow() {
    return overflow;
  }

  /** How often, after a disk error, the sender tries the outbox again. */
  public Duration outboxRetryInterval() {
    return outboxRetryInterval;
  }

  /** The size at which the outbox starts a new segment file. */
  public long outboxSegmentBytes() {
    return outboxSegmentBytes;
  }

  /** How often the sender fsyncs what it appended to the outbox. */
  public Duration outboxSyncInterval() {
    return outboxSyncInterval;
  }

  /** The outbox's byte bound. */
  public long outboxMaxBytes() {
    return outboxMaxBytes;
  }

  /** The outbox directory, or {@code null} for none. */
  public Path outboxDir() {
    return outboxDir;
  }

  @Override
  public String toString() {
    // Never the secret.
    return "ClientConfig{eventsUrl=" + eventsUrl + ", keyId=" + keyId + ", maxQueueEvents=" + maxQueueEvents
        + ", maxQueueBytes=" + maxQueueBytes + ", maxBatchEvents=" + maxBatchEvents + ", maxBatchBytes="
        + maxBatchBytes + ", flushInterval=" + flushInterval + ", gzipThreshold=" + gzipThreshold
        + ", maxInFlightBatches=" + maxInFlightBatches + ", retryBudget=" + retryBudget + "}";
  }

  /**
   * Collects the settings by name. It does not check them again: {@code EyeClient.Builder} has.
   * Internal, not for public use.
   */
  public static final class Builder {
    private HttpUrl eventsUrl;
    private String keyId;
    private byte[] secret;
    private int maxQueueEvents;
    private long maxQueueBytes;
    private int maxBatchEvents;
    private int maxBatchBytes;
    private Duration flushInterval;
    private int gzipThreshold;
    private int maxInFlightBatches;
    private Duration initialBackoff;
    private Duration maxBackoff;
    private Duration maxRetryAfter;
    private Duration retryBudget;
    private Duration connectTimeout;
    private Duration requestTimeout;
    private Duration closeTimeout;
    private int maxDataBytes;
    private EyeListener listener;
    private OkHttpClient okHttpClient;
    private ScheduledExecutorService retryScheduler;
    private Clock clock;
    private boolean strict;
    private Overflow overflow;
    private Duration outboxRetryInterval;
    private long outboxSegmentBytes;
    private Duration outboxSyncInterval;
    private long outboxMaxBytes;
    private Path outboxDir;

    private Builder() {}

    /** Sets {@code eventsUrl}. */
    public Builder eventsUrl(HttpUrl eventsUrl) {
      this.eventsUrl = eventsUrl;
      return this;
    }

    /** Sets {@code keyId}. */
    public Builder keyId(String keyId) {
      this.keyId = keyId;
      return this;
    }

    /** Sets {@code secret}. */
    public Builder secret(byte[] secret) {
      this.secret = secret;
      return this;
    }

    /** Sets {@code maxQueueEvents}. */
    public Builder maxQueueEvents(int maxQueueEvents) {
      this.maxQueueEvents = maxQueueEvents;
      return this;
    }

    /** Sets {@code maxQueueBytes}. */
    public Builder maxQueueBytes(long maxQueueBytes) {
      this.maxQueueBytes = maxQueueBytes;
      return this;
    }

    /** Sets {@code maxBatchEvents}. */
    public Builder maxBatchEvents(int maxBatchEvents) {
      this.maxBatchEvents = maxBatchEvents;
      return this;
    }

    /** Sets {@code maxBatchBytes}. */
    public Builder maxBatchBytes(int maxBatchBytes) {
      this.maxBatchBytes = maxBatchBytes;
      return this;
    }

    /** Sets {@code flushInterval}. */
    public Builder flushInterval(Duration flushInterval) {
      this.flushInterval = flushInterval;
      return this;
    }

    /** Sets {@code gzipThreshold}. */
    public Builder gzipThreshold(int gzipThreshold) {
      this.gzipThreshold = gzipThreshold;
      return this;
    }

    /** Sets {@code maxInFlightBatches}. */
    public Builder maxInFlightBatches(int maxInFlightBatches) {
      this.maxInFlightBatches = maxInFlightBatches;
      return this;
    }

    /** Sets {@code initialBackoff}. */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = initialBackoff;
      return this;
    }

    /** Sets {@code maxBackoff}. */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
      return this;
    }

    /** Sets {@code maxRetryAfter}. */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      this.maxRetryAfter = maxRetryAfter;
      return this;
    }

    /** Sets {@code retryBudget}. */
    public Builder retryBudget(Duration retryBudget) {
      this.retryBudget = retryBudget;
      return this;
    }

    /** Sets {@code connectTimeout}. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** Sets {@code requestTimeout}. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /** Sets {@code closeTimeout}. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /** Sets {@code maxDataBytes}. */
    public Builder maxDataBytes(int maxDataBytes) {
      this.maxDataBytes = maxDataBytes;
      return this;
    }

    /** Sets {@code listener}. */
    public Builder listener(EyeListener listener) {
      this.listener = listener;
      return this;
    }

    /** Sets {@code okHttpClient}. */
    public Builder okHttpClient(OkHttpClient okHttpClient) {
      this.okHttpClient = okHttpClient;
      return this;
    }

    /** Sets {@code retryScheduler}. */
    public Builder retryScheduler(ScheduledExecutorService retryScheduler) {
      this.retryScheduler = retryScheduler;
      return this;
    }

    /** Sets {@code clock}. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Sets {@code strict}. */
    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /** Sets {@code overflow}. */
    public Builder overflow(Overflow overflow) {
      this.overflow = overflow;
      return this;
    }

    /** Sets {@code outboxDir}. */
    public Builder outboxDir(Path outboxDir) {
      this.outboxDir = outboxDir;
      return this;
    }

    /** Sets {@code outboxMaxBytes}. */
    public Builder outboxMaxBytes(long outboxMaxBytes) {
      this.outboxMaxBytes = outboxMaxBytes;
      return this;
    }

    /** Sets {@code outboxSyncInterval}. */
    public Builder outboxSyncInterval(Duration outboxSyncInterval) {
      this.outboxSyncInterval = outboxSyncInterval;
      return this;
    }

    /** Sets {@code outboxSegmentBytes}. */
    public Builder outboxSegmentBytes(long outboxSegmentBytes) {
      this.outboxSegmentBytes = outboxSegmentBytes;
      return this;
    }

    /** Sets {@code outboxRetryInterval}. */
    public Builder outboxRetryInterval(Duration outboxRetryInterval) {
      this.outboxRetryInterval = outboxRetryInterval;
      return this;
    }

    /** The settings collected so far. */
    public ClientConfig build() {
      return new ClientConfig(this);
    }
  }
}
