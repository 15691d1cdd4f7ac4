package io.theeye.web;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Bucket4j token bucket per key (a session id, a client address), in a map bounded by {@code
 * maxKeys}: when it is full, the buckets that have refilled completely (they hold no state worth
 * keeping) are forgotten, and if that is not enough, all are — a limiter that forgets fails open for a
 * moment rather than growing without bound.
 */
final class RateLimits {

  private final EyeWeb.RateLimit rate;
  private final int maxKeys;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  RateLimits(EyeWeb.RateLimit rate, int maxKeys) {
    this.rate = rate;
    this.maxKeys = maxKeys;
  }

  /** Takes one token for {@code key}: 0 when allowed, else the nanoseconds until one is available. */
  long tryAcquire(String key) {
    Bucket bucket = buckets.get(key);
    if (bucket == null) {
      if (buckets.size() >= maxKeys) {
        evict();
      }
      bucket = buckets.computeIfAbsent(key, k -> newBucket());
    }
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
  }

  int size() {
    return buckets.size();
  }

  private Bucket newBucket() {
    return Bucket.builder()
        .addLimit(Bandwidth.builder()
            .capacity(rate.requests())
            .refillGreedy(rate.requests(), rate.period())
            .build())
        .build();
  }

  private synchronized void evict() {
    if (buckets.size() < maxKeys) {
      return;
    }
    buckets.values().removeIf(b -> b.getAvailableTokens() >= rate.requests());
    if (buckets.size() >= maxKeys) {
      buckets.clear();
    }
  }
}
