package io.theeye.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * Realistic event content, shaped like the product brief's three examples and valid against the
 * collector's shipped schemas: {@code page interaction/pageview} (host, path), {@code page
 * interaction/cta click} (host, path, element) and {@code form interaction/submit} (host, path, form).
 * Every suite draws its events from here so row sizes match across them.
 */
final class SampleEvents {

  /** One event type and its payload. */
  record Sample(String category, String name, Map<String, Object> data) {}

  static final String PAGE = "page interaction";
  static final String FORM = "form interaction";

  private static final String[] HOSTS = {"www.ca.com", "shop.ca.com", "docs.ca.com"};
  private static final String[] PATHS = {
      "/", "/pricing", "/products/42", "/products/1337/reviews", "/checkout", "/blog/2021/01/hello-world",
      "/contact", "/search"};
  private static final String[] ELEMENTS = {"chat bubble", "buy now", "sign up", "menu", "add to cart"};
  private static final String[] FIRST = {"John", "Jane", "Ana", "Li", "Omar", "Sofia"};
  private static final String[] LAST = {"Doe", "Smith", "Silva", "Chen", "Haddad", "Rossi"};

  private SampleEvents() {}

  /** A random event: 55% pageview, 35% cta click, 10% form submit. */
  static Sample next(RandomGenerator random) {
    int kind = random.nextInt(100);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("host", pick(random, HOSTS));
    data.put("path", pick(random, PATHS));
    if (kind < 55) {
      return new Sample(PAGE, "pageview", data);
    }
    if (kind < 90) {
      data.put("element", pick(random, ELEMENTS));
      return new Sample(PAGE, "cta click", data);
    }
    Map<String, Object> form = new LinkedHashMap<>();
    form.put("first_name", pick(random, FIRST));
    form.put("last_name", pick(random, LAST));
    data.put("form", form);
    return new Sample(FORM, "submit", data);
  }

  /** A random (version 4 shaped) session id, without {@link UUID#randomUUID()}'s SecureRandom cost. */
  static String sessionId(RandomGenerator random) {
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  private static String pick(RandomGenerator random, String[] values) {
    return values[random.nextInt(values.length)];
  }
}
