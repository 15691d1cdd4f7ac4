package io.theeye.client.internal;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import okhttp3.Response;

/**
 * Which failures are retried and after how long. The backoff schedule is resilience4j's exponential
 * backoff with jitter; a collector's {@code Retry-After} (seconds or an HTTP date) wins over it, capped.
 * Internal, not for public use.
 */
final class RetryPolicy {

  /** Multiplier of the exponential backoff: {@value}. */
  static final double MULTIPLIER = 2.0;

  /** Jitter: each wait is drawn from ±{@value} of the nominal one. */
  static final double RANDOMIZATION = 0.5;

  private final IntervalFunction backoff;
  private final long maxRetryAfterMillis;
  private final Clock clock;

  RetryPolicy(Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter, Clock clock) {
    this.backoff = IntervalFunction.ofExponentialRandomBackoff(
        initialBackoff.toMillis(), MULTIPLIER, RANDOMIZATION, maxBackoff.toMillis());
    this.maxRetryAfterMillis = maxRetryAfter.toMillis();
    this.clock = clock;
  }

  /** The statuses a retry may cure: timeouts, throttling, and the server's transient failures. */
  static boolean isRetryable(int status) {
    return switch (status) {
      case 408, 429, 500, 502, 503, 504 -> true;
      default -> false;
    };
  }

  /** The wait before the retry that follows failed attempt number {@code attempt} (1-based). */
  long backoffMillis(int attempt) {
    return Math.max(0, backoff.apply(attempt));
  }

  /**
   * The wait a response asks for with {@code Retry-After}, capped; {@code -1} when it asks for none
   * (or the header does not parse).
   */
  long retryAfterMillis(Response response) {
    String value = response.header("Retry-After");
    if (value == null) {
      return -1;
    }
    value = value.trim();
    long millis;
    if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      millis = value.length() > 9 ? Long.MAX_VALUE : Long.parseLong(value) * 1000;
    } else {
      Date date = response.headers().getDate("Retry-After");
      if (date == null) {
        return -1;
      }
      millis = Math.max(0, date.getTime() - clock.millis());
    }
    return Math.min(millis, maxRetryAfterMillis);
  }
}
