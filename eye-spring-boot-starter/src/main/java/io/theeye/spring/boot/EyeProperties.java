package io.theeye.spring.boot;

import io.theeye.client.EyeClient;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The {@code eye.*} properties: where the collector is, the application's key, and every other
 * {@link EyeClient.Builder} option. Each value is checked at startup by the builder's own setter, so
 * a wrong one fails startup with the builder's message under the property's name.
 *
 * <pre>
 * eye.endpoint=http://127.0.0.1:8080
 * eye.key-id=shop-web-1
 * # eye.secret: from the environment variable EYE_SECRET
 * </pre>
 */
@ConfigurationProperties("eye")
public class EyeProperties implements Validator {

  /** Whether to configure an EyeClient (and everything that uses it) at all. */
  private boolean enabled = true;

  /**
   * The collector's base URL, e.g. http://127.0.0.1:8080; the client posts to /v1/events under it.
   * Required.
   */
  private String endpoint;

  /** The key id that names this application's key at the collector. Required. */
  private String keyId;

  /**
   * The key's secret, the HMAC-SHA256 key (its UTF-8 bytes). Required; never logged. Keep it out of
   * application.properties: the environment variable EYE_SECRET sets it.
   */
  private String secret;

  /** The most events the client holds at once (queued, in flight, waiting for a retry). */
  private int maxQueueEvents = EyeClient.Builder.DEFAULT_MAX_QUEUE_EVENTS;

  /** The most bytes of serialized events the client holds at once; at least 64KB. */
  private DataSize maxQueueBytes = DataSize.ofBytes(EyeClient.Builder.DEFAULT_MAX_QUEUE_BYTES);

  /** The most events in one request, 1-1000. */
  private int maxBatchEvents = EyeClient.Builder.DEFAULT_MAX_BATCH_EVENTS;

  /** The most bytes in one request body before compression, 64KB-1MB. */
  private DataSize maxBatchBytes = DataSize.ofBytes(EyeClient.Builder.DEFAULT_MAX_BATCH_BYTES);

  /** How long an event may wait for its batch to fill before the batch is sent anyway. */
  @DurationUnit(ChronoUnit.MILLIS)
  private Duration flushInterval = Duration.ofMillis(EyeClient.Builder.DEFAULT_FLUSH_INTERVAL_MILLIS);

  /** Request bodies of this size or more are sent gzipped (0: always). */
  private DataSize gzipThreshold = DataSize.ofBytes(EyeClient.Builder.DEFAULT_GZIP_THRESHOLD);

  /** How many batches may be sent or waiting for a retry at once, 1-64. */
  private int maxInFlightBatches = EyeClient.Builder.DEFAULT_MAX_IN_FLIGHT_BATCHES;

  /** The retry schedule: exponential backoff with jitter. */
  private final RetryBackoff retryBackoff = new RetryBackoff();

  /** The longest collector Retry-After the client honours; longer ones are cut to it. */
  @DurationUnit(ChronoUnit.MILLIS)
  private Duration maxRetryAfter = Duration.ofMillis(EyeClient.Builder.DEFAULT_MAX_RETRY_AFTER_MILLIS);

  /** How long after its first attempt a batch may still be retried (0: no retries). */
  @DurationUnit(ChronoUnit.MILLIS)
  private Duration retryBudget = Duration.ofMillis(EyeClient.Builder.DEFAULT_RETRY_BUDGET_MILLIS);

  /** The TCP connect timeout of the client's HTTP client. */
  @DurationUnit(ChronoUnit.MILLIS)
  private Duration connectTimeout = Duration.ofMillis(EyeClient.Builder.DEFAULT_CONNECT_TIMEOUT_MILLIS);

  /** The longest one attempt may take, from connecting to reading the answer. */
  @DurationUnit(ChronoUnit.MILLIS)
  private Duration requestTimeout = Duration.ofMillis(EyeClient.Builder.DEFAULT_REQUEST_TIMEOUT_MILLIS);

  /**
   * How long closing the application context waits for the last deliveries (the client's
   * closeTimeout); what is still undelivered then is logged as lost.
   */
  @DurationUnit(ChronoUnit.MILLIS)
  private Duration shutdownTimeout = Duration.ofMillis(EyeClient.Builder.DEFAULT_CLOSE_TIMEOUT_MILLIS);

  /** The largest serialized event data track() accepts; match the collector's limit. */
  private DataSize maxDataBytes = DataSize.ofBytes(EyeClient.Builder.DEFAULT_MAX_DATA_BYTES);

  /** Whether track() throws instead of dropping a bad event. For tests, never for production. */
  private boolean strict;

  /** The Actuator health indicator. */
  private final Health health = new Health();

  /**
   * Sets every option on {@code builder}, each through its own setter (which checks it); the required
   * three only when present.
   *
   * @return {@code builder}
   */
  public EyeClient.Builder applyTo(EyeClient.Builder builder) {
    for (Option option : options()) {
      option.setter().accept(builder);
    }
    return builder;
  }

  /** The names of the required properties that are not set, e.g. {@code [eye.secret]}. */
  public List<String> missingRequired() {
    List<String> missing = new ArrayList<>();
    if (endpoint == null || endpoint.isBlank()) {
      missing.add("eye.endpoint");
    }
    if (keyId == null || keyId.isBlank()) {
      missing.add("eye.key-id");
    }
    if (secret == null || secret.isEmpty()) {
      missing.add("eye.secret");
    }
    return missing;
  }

  @Override
  public boolean supports(Class<?> type) {
    return EyeProperties.class.isAssignableFrom(type);
  }

  /**
   * Rejects each value its builder setter refuses, with the setter's message (which never contains
   * the secret). Missing required properties are not rejected here, since an application with its own
   * {@code EyeClient} bean needs none of them; the auto-configured client names them when it is built.
   */
  @Override
  public void validate(Object target, Errors errors) {
    EyeProperties properties = (EyeProperties) target;
    EyeClient.Builder builder = EyeClient.builder();
    for (Option option : properties.options()) {
      try {
        option.setter().accept(builder);
      } catch (IllegalArgumentException | NullPointerException e) {
        if (option.property().equals("secret")) {
          // A field error would show the rejected value in Spring Boot's failure report.
          errors.reject("invalid", "eye.secret: " + e.getMessage());
        } else {
          errors.rejectValue(option.property(), "invalid", e.getMessage());
        }
      }
    }
    if (properties.health.timeout.isNegative() || properties.health.timeout.isZero()) {
      errors.rejectValue("health.timeout", "invalid", "health.timeout must be positive");
    }
  }

  /**
   * One property: its name under {@code eye.} (Spring Boot's failure report shows it as given) and how
   * it sets the builder.
   */
  private record Option(String property, Consumer<EyeClient.Builder> setter) {}

  private List<Option> options() {
    List<Option> options = new ArrayList<>();
    if (endpoint != null && !endpoint.isBlank()) {
      options.add(new Option("endpoint", x -> x.endpoint(endpoint)));
    }
    if (keyId != null && !keyId.isBlank()) {
      options.add(new Option("key-id", x -> x.keyId(keyId)));
    }
    if (secret != null && !secret.isEmpty()) {
      options.add(new Option("secret", x -> x.secret(secret)));
    }
    options.add(new Option("max-queue-events", x -> x.maxQueueEvents(maxQueueEvents)));
    options.add(new Option("max-queue-bytes", x -> x.maxQueueBytes(maxQueueBytes.toBytes())));
    options.add(new Option("max-batch-events", x -> x.maxBatchEvents(maxBatchEvents)));
    options.add(new Option("max-batch-bytes", x -> x.maxBatchBytes(toInt(maxBatchBytes, "maxBatchBytes"))));
    options.add(new Option("flush-interval", x -> x.flushInterval(flushInterval)));
    options.add(new Option("gzip-threshold", x -> x.gzipThreshold(toInt(gzipThreshold, "gzipThreshold"))));
    options.add(new Option("max-in-flight-batches", x -> x.maxInFlightBatches(maxInFlightBatches)));
    options.add(new Option("retry-backoff.initial",
        x -> x.retryBackoff(retryBackoff.initial, retryBackoff.max)));
    options.add(new Option("max-retry-after", x -> x.maxRetryAfter(maxRetryAfter)));
    options.add(new Option("retry-budget", x -> x.retryBudget(retryBudget)));
    options.add(new Option("connect-timeout", x -> x.connectTimeout(connectTimeout)));
    options.add(new Option("request-timeout", x -> x.requestTimeout(requestTimeout)));
    options.add(new Option("shutdown-timeout", x -> x.closeTimeout(shutdownTimeout)));
    options.add(new Option("max-data-bytes", x -> x.maxDataBytes(toInt(maxDataBytes, "maxDataBytes"))));
    options.add(new Option("strict", x -> x.strict(strict)));
    return options;
  }

  private static int toInt(DataSize size, String name) {
    if (size == null) {
      throw new NullPointerException(name);
    }
    long bytes = size.toBytes();
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " must be at most " + Integer.MAX_VALUE + " bytes, was "
          + bytes);
    }
    return (int) bytes;
  }

  /** The retry schedule: the first wait, doubling with ±50% jitter up to the longest. */
  public static class RetryBackoff {

    /** The wait before the first retry. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration initial = Duration.ofMillis(EyeClient.Builder.DEFAULT_INITIAL_BACKOFF_MILLIS);

    /** The longest wait between two attempts. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration max = Duration.ofMillis(EyeClient.Builder.DEFAULT_MAX_BACKOFF_MILLIS);

    public Duration getInitial() {
      return initial;
    }

    public void setInitial(Duration initial) {
      this.initial = initial;
    }

    public Duration getMax() {
      return max;
    }

    public void setMax(Duration max) {
      this.max = max;
    }
  }

  /** The Actuator health indicator ("eye"). */
  public static class Health {

    /** How long the health check waits for the collector's /ready answer. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration timeout = Duration.ofSeconds(2);

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public String getKeyId() {
    return keyId;
  }

  public void setKeyId(String keyId) {
    this.keyId = keyId;
  }

  public String getSecret() {
    return secret;
  }

  public void setSecret(String secret) {
    this.secret = secret;
  }

  public int getMaxQueueEvents() {
    return maxQueueEvents;
  }

  public void setMaxQueueEvents(int maxQueueEvents) {
    this.maxQueueEvents = maxQueueEvents;
  }

  public DataSize getMaxQueueBytes() {
    return maxQueueBytes;
  }

  public void setMaxQueueBytes(DataSize maxQueueBytes) {
    this.maxQueueBytes = maxQueueBytes;
  }

  public int getMaxBatchEvents() {
    return maxBatchEvents;
  }

  public void setMaxBatchEvents(int maxBatchEvents) {
    this.maxBatchEvents = maxBatchEvents;
  }

  public DataSize getMaxBatchBytes() {
    return maxBatchBytes;
  }

  public void setMaxBatchBytes(DataSize maxBatchBytes) {
    this.maxBatchBytes = maxBatchBytes;
  }

  public Duration getFlushInterval() {
    return flushInterval;
  }

  public void setFlushInterval(Duration flushInterval) {
    this.flushInterval = flushInterval;
  }

  public DataSize getGzipThreshold() {
    return gzipThreshold;
  }

  public void setGzipThreshold(DataSize gzipThreshold) {
    this.gzipThreshold = gzipThreshold;
  }

  public int getMaxInFlightBatches() {
    return maxInFlightBatches;
  }

  public void setMaxInFlightBatches(int maxInFlightBatches) {
    this.maxInFlightBatches = maxInFlightBatches;
  }

  public RetryBackoff getRetryBackoff() {
    return retryBackoff;
  }

  public Duration getMaxRetryAfter() {
    return maxRetryAfter;
  }

  public void setMaxRetryAfter(Duration maxRetryAfter) {
    this.maxRetryAfter = maxRetryAfter;
  }

  public Duration getRetryBudget() {
    return retryBudget;
  }

  public void setRetryBudget(Duration retryBudget) {
    this.retryBudget = retryBudget;
  }

  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  public void setConnectTimeout(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  public Duration getRequestTimeout() {
    return requestTimeout;
  }

  public void setRequestTimeout(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
  }

  public Duration getShutdownTimeout() {
    return shutdownTimeout;
  }

  public void setShutdownTimeout(Duration shutdownTimeout) {
    this.shutdownTimeout = shutdownTimeout;
  }

  public DataSize getMaxDataBytes() {
    return maxDataBytes;
  }

  public void setMaxDataBytes(DataSize maxDataBytes) {
    this.maxDataBytes = maxDataBytes;
  }

  public boolean isStrict() {
    return strict;
  }

  public void setStrict(boolean strict) {
    this.strict = strict;
  }

  public Health getHealth() {
    return health;
  }
}
