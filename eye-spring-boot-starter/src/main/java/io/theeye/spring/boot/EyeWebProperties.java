package io.theeye.spring.boot;

import io.theeye.web.EyeWeb;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;

/**
 * The {@code eye.web.*} properties: the browser snippet, its relay servlet and the optional page-view
 * filter, one property per {@link EyeWeb.Builder} option. Used when eye-web is on the class path of a
 * servlet web application.
 */
@ConfigurationProperties("eye.web")
public class EyeWebProperties {

  /** Whether to register the relay servlet and the EyeWeb bean. */
  private boolean enabled = true;

  /** Whether to register the page-view filter, which tracks each HTML page served, at /*. */
  private boolean pageViews;

  /** Where the relay lives in the application, e.g. /eye: path segments, no trailing slash. */
  private String prefix = EyeWeb.Builder.DEFAULT_PREFIX;

  /** Sibling origins, besides the application's own, whose pages may post to the relay. */
  private List<String> allowedOrigins = new ArrayList<>();

  /** How long a session lasts without activity, 1 minute to 1 day. */
  @DurationUnit(ChronoUnit.MINUTES)
  private Duration sessionIdleTimeout = Duration.ofMinutes(EyeWeb.Builder.DEFAULT_SESSION_IDLE_MINUTES);

  /** The first-party session cookie's name. */
  private String cookieName = EyeWeb.Builder.DEFAULT_COOKIE_NAME;

  /** The largest request body the relay reads, 1KB-1MB; a larger one is answered 413. */
  private DataSize maxBodyBytes = DataSize.ofBytes(EyeWeb.Builder.DEFAULT_MAX_BODY_BYTES);

  /** The most events one relay request may carry, 1-1000. */
  private int maxEventsPerRequest = EyeWeb.Builder.DEFAULT_MAX_EVENTS_PER_REQUEST;

  /** Collect requests allowed per session. */
  private final RateLimit sessionRateLimit = RateLimit.perMinute(EyeWeb.Builder.DEFAULT_SESSION_REQUESTS_PER_MINUTE);

  /** Collect requests allowed per client address. */
  private final RateLimit addressRateLimit = RateLimit.perMinute(EyeWeb.Builder.DEFAULT_ADDRESS_REQUESTS_PER_MINUTE);

  /** How many sessions and addresses the rate limiter remembers at once; at least 100. */
  private int maxTrackedSessions = EyeWeb.Builder.DEFAULT_MAX_TRACKED_SESSIONS;

  /** The largest correction of a browser's clock; beyond it events take their arrival time. */
  @DurationUnit(ChronoUnit.HOURS)
  private Duration maxClockCorrection = Duration.ofHours(EyeWeb.Builder.DEFAULT_MAX_CLOCK_CORRECTION_HOURS);

  /** Whether to add the client's truncated address to each event (personal data in many places). */
  private boolean captureClientAddress;

  /** Whether to track clicks on every link and button, not only elements marked data-eye-click. */
  private boolean trackAllClicks;

  /** The snippet, in the browser. */
  private final Snippet snippet = new Snippet();

  /**
   * Sets every option on {@code builder} through its own setter.
   *
   * @throws InvalidConfigurationPropertyValueException naming the property the builder refused
   */
  public EyeWeb.Builder applyTo(EyeWeb.Builder builder) {
    set("prefix", prefix, b -> b.prefix(prefix), builder);
    set("allowed-origins", allowedOrigins, b -> b.allowedOrigins(allowedOrigins), builder);
    set("session-idle-timeout", sessionIdleTimeout, b -> b.sessionIdleTimeout(sessionIdleTimeout), builder);
    set("cookie-name", cookieName, b -> b.cookieName(cookieName), builder);
    set("max-body-bytes", maxBodyBytes, b -> b.maxBodyBytes(
        (int) Math.min(Integer.MAX_VALUE, maxBodyBytes.toBytes())), builder);
    set("max-events-per-request", maxEventsPerRequest, b -> b.maxEventsPerRequest(maxEventsPerRequest), builder);
    set("session-rate-limit.requests", sessionRateLimit.requests,
        b -> b.sessionRateLimit(sessionRateLimit.requests, sessionRateLimit.period), builder);
    set("address-rate-limit.requests", addressRateLimit.requests,
        b -> b.addressRateLimit(addressRateLimit.requests, addressRateLimit.period), builder);
    set("max-tracked-sessions", maxTrackedSessions, b -> b.maxTrackedSessions(maxTrackedSessions), builder);
    set("max-clock-correction", maxClockCorrection, b -> b.maxClockCorrection(maxClockCorrection), builder);
    builder.captureClientAddress(captureClientAddress).trackAllClicks(trackAllClicks);
    set("snippet.max-batch-events", snippet.maxBatchEvents, b -> b.maxBatchEvents(snippet.maxBatchEvents),
        builder);
    set("snippet.max-queue-events", snippet.maxQueueEvents, b -> b.maxQueueEvents(snippet.maxQueueEvents),
        builder);
    set("snippet.flush-interval", snippet.flushInterval, b -> b.flushInterval(snippet.flushInterval), builder);
    return builder;
  }

  private static void set(String property, Object value, Consumer<EyeWeb.Builder> setter, EyeWeb.Builder b) {
    try {
      setter.accept(b);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidConfigurationPropertyValueException("eye.web." + property, value, e.getMessage());
    }
  }

  /** A rate: at most {@code requests} per {@code period}. */
  public static class RateLimit {

    /** The most collect requests per period. */
    private int requests;

    /** The period the requests are counted over (a token bucket that refills smoothly). */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration period = Duration.ofMinutes(1);

    static RateLimit perMinute(int requests) {
      RateLimit limit = new RateLimit();
      limit.requests = requests;
      return limit;
    }

    public int getRequests() {
      return requests;
    }

    public void setRequests(int requests) {
      this.requests = requests;
    }

    public Duration getPeriod() {
      return period;
    }

    public void setPeriod(Duration period) {
      this.period = period;
    }
  }

  /** The snippet's own batching, in the browser. */
  public static class Snippet {

    /** The snippet sends once this many events wait. */
    private int maxBatchEvents = EyeWeb.Builder.DEFAULT_SNIPPET_BATCH_EVENTS;

    /** The most events the snippet holds while it cannot send; the oldest are dropped beyond it. */
    private int maxQueueEvents = EyeWeb.Builder.DEFAULT_SNIPPET_QUEUE_EVENTS;

    /** How long the snippet waits before sending a batch that is not full, 10ms to 1 minute. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration flushInterval = Duration.ofMillis(EyeWeb.Builder.DEFAULT_SNIPPET_FLUSH_MILLIS);

    public int getMaxBatchEvents() {
      return maxBatchEvents;
    }

    public void setMaxBatchEvents(int maxBatchEvents) {
      this.maxBatchEvents = maxBatchEvents;
    }

    public int getMaxQueueEvents() {
      return maxQueueEvents;
    }

    public void setMaxQueueEvents(int maxQueueEvents) {
      this.maxQueueEvents = maxQueueEvents;
    }

    public Duration getFlushInterval() {
      return flushInterval;
    }

    public void setFlushInterval(Duration flushInterval) {
      this.flushInterval = flushInterval;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public boolean isPageViews() {
    return pageViews;
  }

  public void setPageViews(boolean pageViews) {
    this.pageViews = pageViews;
  }

  public String getPrefix() {
    return prefix;
  }

  public void setPrefix(String prefix) {
    this.prefix = prefix;
  }

  public List<String> getAllowedOrigins() {
    return allowedOrigins;
  }

  public void setAllowedOrigins(List<String> allowedOrigins) {
    this.allowedOrigins = allowedOrigins;
  }

  public Duration getSessionIdleTimeout() {
    return sessionIdleTimeout;
  }

  public void setSessionIdleTimeout(Duration sessionIdleTimeout) {
    this.sessionIdleTimeout = sessionIdleTimeout;
  }

  public String getCookieName() {
    return cookieName;
  }

  public void setCookieName(String cookieName) {
    this.cookieName = cookieName;
  }

  public DataSize getMaxBodyBytes() {
    return maxBodyBytes;
  }

  public void setMaxBodyBytes(DataSize maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  public int getMaxEventsPerRequest() {
    return maxEventsPerRequest;
  }

  public void setMaxEventsPerRequest(int maxEventsPerRequest) {
    this.maxEventsPerRequest = maxEventsPerRequest;
  }

  public RateLimit getSessionRateLimit() {
    return sessionRateLimit;
  }

  public RateLimit getAddressRateLimit() {
    return addressRateLimit;
  }

  public int getMaxTrackedSessions() {
    return maxTrackedSessions;
  }

  public void setMaxTrackedSessions(int maxTrackedSessions) {
    this.maxTrackedSessions = maxTrackedSessions;
  }

  public Duration getMaxClockCorrection() {
    return maxClockCorrection;
  }

  public void setMaxClockCorrection(Duration maxClockCorrection) {
    this.maxClockCorrection = maxClockCorrection;
  }

  public boolean isCaptureClientAddress() {
    return captureClientAddress;
  }

  public void setCaptureClientAddress(boolean captureClientAddress) {
    this.captureClientAddress = captureClientAddress;
  }

  public boolean isTrackAllClicks() {
    return trackAllClicks;
  }

  public void setTrackAllClicks(boolean trackAllClicks) {
    this.trackAllClicks = trackAllClicks;
  }

  public Snippet getSnippet() {
    return snippet;
  }
}
