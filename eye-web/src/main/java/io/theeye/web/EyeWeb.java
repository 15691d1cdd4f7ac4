package io.theeye.web;

import io.theeye.client.EyeClient;
import jakarta.servlet.http.HttpServlet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The browser path into The Eye: a first-party snippet ({@code eye.js}) that the application serves
 * itself, and a relay that hands what the browser reports to the application's {@link EyeClient}, so
 * the signing secret never leaves the server and every event is stored under the application that
 * served the page.
 *
 * <pre>{@code
 * EyeWeb web = EyeWeb.builder(eyeClient)                    // your EyeClient; you close it
 *     .prefix("/eye")                                       // the default
 *     .allowedOrigins(List.of("https://www.example.com"))   // sibling origins; default none
 *     .sessionIdleTimeout(Duration.ofMinutes(30))           // the default
 *     .build();
 *
 * ServletContext context = ...;
 * context.addServlet("eye", web.servlet()).addMapping(web.servletMapping());     // "/eye/*"
 * context.addFilter("eye-pageviews", web.pageViewFilter())                         // optional
 *     .addMappingForUrlPatterns(null, false, "/*");
 *
 * // in every HTML page:
 * out.print(web.scriptTag());     // <script src="/eye/eye.3f2a9c0b1d.js" defer></script>
 * }</pre>
 *
 * <p>The servlet answers {@code GET <prefix>/eye.js} (revalidated on every use), {@code GET
 * <prefix>/eye.<hash>.js} (cached for a year: its content decides its name) and {@code POST
 * <prefix>/collect} (the browser's batches; {@code 204} at once, never waiting on the collector). See
 * {@code docs/web.md} for what the snippet captures and the relay's limits and answers.
 *
 * <p>An {@code EyeWeb} is thread-safe; build one per application. It owns nothing that needs closing:
 * close the {@link EyeClient} at shutdown as usual.
 */
public final class EyeWeb {

  private final Settings settings;
  private final Snippet snippet;
  private final RelayCounters counters = new RelayCounters();
  private final RelayServlet servlet;
  private final EyePageViewFilter filter;

  private EyeWeb(Settings settings) {
    this.settings = settings;
    this.snippet = Snippet.load(settings);
    this.servlet = new RelayServlet(settings, snippet, counters);
    this.filter = new EyePageViewFilter(settings, counters);
  }

  /** A builder relaying to {@code client}, which stays the application's to close. */
  public static Builder builder(EyeClient client) {
    return new Builder(client);
  }

  /**
   * The servlet to map at {@link #servletMapping()}: it serves the snippet and receives its batches.
   * Always the same instance.
   */
  public HttpServlet servlet() {
    return servlet;
  }

  /**
   * The optional filter that tracks each HTML page the application serves (path, status, duration),
   * under the snippet's session cookie. Map it at {@code /*}; without it no page view is tracked on the
   * server. Always the same instance.
   */
  public EyePageViewFilter pageViewFilter() {
    return filter;
  }

  /** The servlet mapping the relay expects: {@code <prefix>/*}. */
  public String servletMapping() {
    return settings.prefix + "/*";
  }

  /** The prefix the relay lives under, e.g. {@code /eye}. */
  public String prefix() {
    return settings.prefix;
  }

  /**
   * The snippet's content-addressed path, e.g. {@code /eye/eye.3f2a9c0b1d.js}, relative to the
   * application's context path.
   */
  public String scriptPath() {
    return settings.prefix + "/" + snippet.hashedName();
  }

  /** The tag for every HTML page: {@code <script src="/eye/eye.<hash>.js" defer></script>}. */
  public String scriptTag() {
    return "<script src=\"" + scriptPath() + "\" defer></script>";
  }

  /** The script exactly as the servlet serves it (configuration included, no key or secret). */
  public String script() {
    return snippet.text();
  }

  Settings settings() {
    return settings;
  }

  /** A snapshot of what the relay and the filter have done since this instance was built. */
  public EyeWebCounters counters() {
    return counters.snapshot();
  }

  @Override
  public String toString() {
    return "EyeWeb{prefix=" + settings.prefix + ", script=" + scriptPath() + ", allowedOrigins="
        + settings.allowedOrigins + "}";
  }

  /**
   * Configures an {@link EyeWeb}. Every setter checks its argument at once and throws {@link
   * IllegalArgumentException} (or {@link NullPointerException}) naming the setting.
   */
  public static final class Builder {

    /** Default {@link #prefix(String)}: {@value}. */
    public static final String DEFAULT_PREFIX = "/eye";

    /** Default {@link #cookieName(String)}: {@value}. */
    public static final String DEFAULT_COOKIE_NAME = "eye_sid";

    /** Default {@link #sessionIdleTimeout(Duration)}: {@value} minutes. */
    public static final long DEFAULT_SESSION_IDLE_MINUTES = 30;

    /** Default {@link #maxBodyBytes(int)}: {@value} bytes (64 KiB, the browsers' keepalive limit). */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 << 10;

    /** Default {@link #maxEventsPerRequest(int)}: {@value}. */
    public static final int DEFAULT_MAX_EVENTS_PER_REQUEST = 50;

    /** Default requests per minute of {@link #sessionRateLimit(int, Duration)}: {@value}. */
    public static final int DEFAULT_SESSION_REQUESTS_PER_MINUTE = 60;

    /** Default requests per minute of {@link #addressRateLimit(int, Duration)}: {@value}. */
    public static final int DEFAULT_ADDRESS_REQUESTS_PER_MINUTE = 600;

    /** Default {@link #maxClockCorrection(Duration)}: {@value} hours. */
    public static final long DEFAULT_MAX_CLOCK_CORRECTION_HOURS = 24;

    /** Default {@link #maxBatchEvents(int)} of the snippet: {@value}. */
    public static final int DEFAULT_SNIPPET_BATCH_EVENTS = 20;

    /** Default {@link #maxQueueEvents(int)} of the snippet: {@value}. */
    public static final int DEFAULT_SNIPPET_QUEUE_EVENTS = 200;

    /** Default {@link #flushInterval(Duration)} of the snippet: {@value} milliseconds. */
    public static final long DEFAULT_SNIPPET_FLUSH_MILLIS = 2_000;

    /** Default {@link #maxTrackedSessions(int)}: {@value}. */
    public static final int DEFAULT_MAX_TRACKED_SESSIONS = 100_000;

    private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9._~-]+)+");
    private static final Pattern COOKIE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final EyeClient client;
    private String prefix = DEFAULT_PREFIX;
    private List<String> allowedOrigins = List.of();
    private Duration sessionIdleTimeout = Duration.ofMinutes(DEFAULT_SESSION_IDLE_MINUTES);
    private String cookieName = DEFAULT_COOKIE_NAME;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxEventsPerRequest = DEFAULT_MAX_EVENTS_PER_REQUEST;
    private RateLimit sessionRate = new RateLimit(DEFAULT_SESSION_REQUESTS_PER_MINUTE, Duration.ofMinutes(1));
    private RateLimit addressRate = new RateLimit(DEFAULT_ADDRESS_REQUESTS_PER_MINUTE, Duration.ofMinutes(1));
    private int maxTrackedSessions = DEFAULT_MAX_TRACKED_SESSIONS;
    private Duration maxClockCorrection = Duration.ofHours(DEFAULT_MAX_CLOCK_CORRECTION_HOURS);
    private boolean captureClientAddress;
    private boolean trackAllClicks;
    private int maxBatchEvents = DEFAULT_SNIPPET_BATCH_EVENTS;
    private int maxQueueEvents = DEFAULT_SNIPPET_QUEUE_EVENTS;
    private Duration flushInterval = Duration.ofMillis(DEFAULT_SNIPPET_FLUSH_MILLIS);
    private Clock clock = Clock.systemUTC();

    private Builder(EyeClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * Where the relay lives in the application, e.g. {@code /eye} (the default) or {@code
     * /assets/eye}: one or more path segments, no trailing slash.
     */
    public Builder prefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (!PREFIX.matcher(prefix).matches()) {
        throw new IllegalArgumentException(
            "prefix must be path segments like /eye, without a trailing slash, was " + prefix);
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * Sibling origins, besides the application's own, whose pages may post to the relay, e.g. {@code
     * https://www.example.com}: scheme, host and an optional port, nothing else. Default none (same
     * origin only).
     */
    public Builder allowedOrigins(List<String> origins) {
      Objects.requireNonNull(origins, "allowedOrigins");
      List<String> checked = new ArrayList<>();
      for (String origin : origins) {
        checked.add(Origins.normalizeAllowed(origin));
      }
      this.allowedOrigins = List.copyOf(checked);
      return this;
    }

    /**
     * How long a session lasts without activity: the session cookie expires this long after the last
     * event, and the next event starts a new session. Default {@value #DEFAULT_SESSION_IDLE_MINUTES}
     * minutes; 1 minute to 1 day.
     */
    public Builder sessionIdleTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "sessionIdleTimeout");
      if (timeout.compareTo(Duration.ofMinutes(1)) < 0 || timeout.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("sessionIdleTimeout must be 1 minute to 1 day, was " + timeout);
      }
      this.sessionIdleTimeout = timeout;
      return this;
    }

    /** The first-party session cookie's name. Default {@value #DEFAULT_COOKIE_NAME}. */
    public Builder cookieName(String name) {
      Objects.requireNonNull(name, "cookieName");
      if (!COOKIE.matcher(name).matches()) {
        throw new IllegalArgumentException("cookieName must be 1-64 of A-Z a-z 0-9 _ -, was " + name);
      }
      this.cookieName = name;
      return this;
    }

    /**
     * The largest request body the relay reads; a larger one is answered {@code 413}. Default {@value
     * #DEFAULT_MAX_BODY_BYTES}; 1 KiB to 1 MiB.
     */
    public Builder maxBodyBytes(int bytes) {
      if (bytes < 1024 || bytes > (1 << 20)) {
        throw new IllegalArgumentException("maxBodyBytes must be 1024-1048576, was " + bytes);
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * The most events one request may carry; more is answered {@code 400}. Default {@value
     * #DEFAULT_MAX_EVENTS_PER_REQUEST}; 1-1000.
     */
    public Builder maxEventsPerRequest(int events) {
      if (events < 1 || events > 1000) {
        throw new IllegalArgumentException("maxEventsPerRequest must be 1-1000, was " + events);
      }
      this.maxEventsPerRequest = events;
      return this;
    }

    /**
     * At most {@code requests} collect requests per session per {@code period} (a token bucket that
     * refills smoothly); beyond it {@code 429} with {@code Retry-After}. Default {@value
     * #DEFAULT_SESSION_REQUESTS_PER_MINUTE} per minute.
     */
    public Builder sessionRateLimit(int requests, Duration period) {
      this.sessionRate = new RateLimit(requests, period, "sessionRateLimit");
      return this;
    }

    /**
     * At most {@code requests} collect requests per client address per {@code period}; beyond it
     * {@code 429} with {@code Retry-After}. Behind a proxy every browser may share one address: raise
     * it, or have the container report the forwarded address. Default {@value
     * #DEFAULT_ADDRESS_REQUESTS_PER_MINUTE} per minute.
     */
    public Builder addressRateLimit(int requests, Duration period) {
      this.addressRate = new RateLimit(requests, period, "addressRateLimit");
      return this;
    }

    /**
     * How many sessions and addresses the rate limiter remembers at once; when more are active, idle
     * ones are forgotten first. Default {@value #DEFAULT_MAX_TRACKED_SESSIONS}.
     */
    public Builder maxTrackedSessions(int sessions) {
      if (sessions < 100) {
        throw new IllegalArgumentException("maxTrackedSessions must be at least 100, was " + sessions);
      }
      this.maxTrackedSessions = sessions;
      return this;
    }

    /**
     * The largest correction of the browser's clock: event times are shifted by the difference between
     * the relay's clock and the batch's {@code sent_at}; when that difference is larger than this, the
     * browser's clock is not trusted and its events take the time they arrived. Default {@value
     * #DEFAULT_MAX_CLOCK_CORRECTION_HOURS} hours.
     */
    public Builder maxClockCorrection(Duration max) {
      Objects.requireNonNull(max, "maxClockCorrection");
      if (max.isNegative()) {
        throw new IllegalArgumentException("maxClockCorrection must not be negative, was " + max);
      }
      this.maxClockCorrection = max;
      return this;
    }

    /**
     * Adds the client's address, truncated (IPv4 to /24, IPv6 to /48), to each event's server-side
     * context. It is personal data in many jurisdictions. Default {@code false}.
     */
    public Builder captureClientAddress(boolean capture) {
      this.captureClientAddress = capture;
      return this;
    }

    /**
     * Tracks clicks on every link and button, not only on elements marked {@code data-eye-click}.
     * Default {@code false}.
     */
    public Builder trackAllClicks(boolean all) {
      this.trackAllClicks = all;
      return this;
    }

    /** The snippet sends once this many events wait. Default {@value #DEFAULT_SNIPPET_BATCH_EVENTS}. */
    public Builder maxBatchEvents(int events) {
      if (events < 1 || events > 1000) {
        throw new IllegalArgumentException("maxBatchEvents must be 1-1000, was " + events);
      }
      this.maxBatchEvents = events;
      return this;
    }

    /**
     * The most events the snippet holds while it cannot send; the oldest are dropped beyond it. Default
     * {@value #DEFAULT_SNIPPET_QUEUE_EVENTS}.
     */
    public Builder maxQueueEvents(int events) {
      if (events < 1 || events > 10_000) {
        throw new IllegalArgumentException("maxQueueEvents must be 1-10000, was " + events);
      }
      this.maxQueueEvents = events;
      return this;
    }

    /**
     * How long the snippet waits before sending a batch that is not full. Default {@value
     * #DEFAULT_SNIPPET_FLUSH_MILLIS} ms; 10 ms to 1 minute.
     */
    public Builder flushInterval(Duration interval) {
      Objects.requireNonNull(interval, "flushInterval");
      if (interval.toMillis() < 10 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("flushInterval must be 10 ms to 1 minute, was " + interval);
      }
      this.flushInterval = interval;
      return this;
    }

    /** The relay's clock, for clock-skew correction (the rate limits keep Bucket4j's). Default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the relay.
     *
     * @throws IllegalArgumentException when the snippet's batch is larger than its queue, or its batch
     *     larger than what one request may carry
     */
    public EyeWeb build() {
      if (maxBatchEvents > maxQueueEvents) {
        throw new IllegalArgumentException("maxBatchEvents (" + maxBatchEvents
            + ") must not exceed maxQueueEvents (" + maxQueueEvents + ")");
      }
      if (maxBatchEvents > maxEventsPerRequest) {
        throw new IllegalArgumentException("maxBatchEvents (" + maxBatchEvents
            + ") must not exceed maxEventsPerRequest (" + maxEventsPerRequest + ")");
      }
      return new EyeWeb(new Settings(this));
    }
  }

  /** A rate: {@code requests} per {@code period}. */
  record RateLimit(int requests, Duration period) {
    RateLimit(int requests, Duration period, String name) {
      this(requests, period);
      if (requests < 1) {
        throw new IllegalArgumentException(name + " requests must be positive, was " + requests);
      }
      Objects.requireNonNull(period, name + " period");
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException(name + " period must be positive, was " + period);
      }
    }
  }

  /** The builder's settings, frozen; shared by the servlet, the filter and the snippet. */
  static final class Settings {
    final EyeClient client;
    final String prefix;
    final Set<String> allowedOrigins;
    final Duration sessionIdleTimeout;
    final String cookieName;
    final int maxBodyBytes;
    final int maxEventsPerRequest;
    final RateLimit sessionRate;
    final RateLimit addressRate;
    final int maxTrackedSessions;
    final Duration maxClockCorrection;
    final boolean captureClientAddress;
    final boolean trackAllClicks;
    final int maxBatchEvents;
    final int maxQueueEvents;
    final Duration flushInterval;
    final Clock clock;

    private Settings(Builder b) {
      this.client = b.client;
      this.prefix = b.prefix;
      this.allowedOrigins = Set.copyOf(b.allowedOrigins);
      this.sessionIdleTimeout = b.sessionIdleTimeout;
      this.cookieName = b.cookieName;
      this.maxBodyBytes = b.maxBodyBytes;
      this.maxEventsPerRequest = b.maxEventsPerRequest;
      this.sessionRate = b.sessionRate;
      this.addressRate = b.addressRate;
      this.maxTrackedSessions = b.maxTrackedSessions;
      this.maxClockCorrection = b.maxClockCorrection;
      this.captureClientAddress = b.captureClientAddress;
      this.trackAllClicks = b.trackAllClicks;
      this.maxBatchEvents = b.maxBatchEvents;
      this.maxQueueEvents = b.maxQueueEvents;
      this.flushInterval = b.flushInterval;
      this.clock = b.clock;
    }
  }
}
