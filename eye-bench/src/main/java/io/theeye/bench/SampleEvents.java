package io.theeye.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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

  /**
   * {@code size} prepared events for a benchmark's inner loop, the i-th at index {@code i & (size - 1)}:
   * sessions of about twenty events, each event's data a fresh mutable map.
   */
  record Pool(String[] sessions, String[] categories, String[] names, List<Map<String, Object>> data) {

    static Pool of(int size, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      String[] sessions = new String[size];
      String[] categories = new String[size];
      String[] names = new String[size];
      List<Map<String, Object>> data = new ArrayList<>(size);
      String session = sessionId(random);
      for (int i = 0; i < size; i++) {
        if (random.nextInt(20) == 0) {
          session = sessionId(random);
        }
        Sample s = next(random);
        sessions[i] = session;
        categories[i] = s.category();
        names[i] = s.name();
        data.add(new LinkedHashMap<>(s.data()));
      }
      return new Pool(sessions, categories, names, data);
    }
  }

  private static String pick(RandomGenerator random, String[] values) {
    return values[random.nextInt(values.length)];
  }
}
