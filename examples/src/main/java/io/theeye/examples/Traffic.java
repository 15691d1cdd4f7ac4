package io.theeye.examples;

import io.theeye.examples.Step.Expect;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * An endless, interleaved stream of visits to the simulated sites: visitors view pages, click calls to
 * action and submit forms; some follow a link from one site to the other in the same session. A small,
 * fixed share of the events is bad on purpose, so the collector's error monitoring has something to show.
 *
 * <p>Not thread-safe: one thread pulls {@link #next()}.
 */
final class Traffic {

  /** Visits in progress at once; their events interleave. */
  static final int CONCURRENT_VISITS = 8;
  /** Every this many events, starting at the {@link #FIRST_SCHEMA_VIOLATION}th, one breaks its schema. */
  static final int SCHEMA_VIOLATION_EVERY = 40;
  static final int FIRST_SCHEMA_VIOLATION = 5;
  /** Every this many events, starting at the {@link #FIRST_FUTURE_TIMESTAMP}th, one is an hour ahead. */
  static final int FUTURE_TIMESTAMP_EVERY = 60;
  static final int FIRST_FUTURE_TIMESTAMP = 11;
  /** The first form submit, then every this many, is submitted twice with one event id (a double click). */
  static final int DOUBLE_SUBMIT_EVERY = 4;

  private static final List<String> FIRST_NAMES = List.of("John", "Jane", "Ada", "Alan", "Grace", "Linus");
  private static final List<String> LAST_NAMES = List.of("Doe", "Lovelace", "Turing", "Hopper", "Torvalds");

  private final List<Site> sites;
  private final Random random;
  private final List<Deque<Step>> visits = new ArrayList<>();
  private final Deque<Step> doubleClicks = new ArrayDeque<>();
  private long emitted;
  private long submits;

  /**
   * @param sites the applications the visitors use (two or more allow shared sessions)
   * @param random the source of every choice (seed it for a repeatable story; session ids stay random)
   */
  Traffic(List<Site> sites, Random random) {
    if (sites.isEmpty()) {
      throw new IllegalArgumentException("at least one site is needed");
    }
    this.sites = List.copyOf(sites);
    this.random = random;
  }

  /** The next event to track. */
  Step next() {
    if (!doubleClicks.isEmpty()) {
      emitted++;
      return doubleClicks.poll();
    }
    while (visits.size() < CONCURRENT_VISITS) {
      visits.add(plan());
    }
    int pick = random.nextInt(visits.size());
    Deque<Step> visit = visits.get(pick);
    Step step = visit.poll();
    if (visit.isEmpty()) {
      visits.remove(pick);
    }
    long n = emitted++;
    if (n % SCHEMA_VIOLATION_EVERY == FIRST_SCHEMA_VIOLATION) {
      return step.with(Expect.SCHEMA_VIOLATION, violate(step));
    }
    if (n % FUTURE_TIMESTAMP_EVERY == FIRST_FUTURE_TIMESTAMP) {
      return step.with(Expect.FUTURE_TIMESTAMP, step.data());
    }
    if (step.name().equals("submit") && submits++ % DOUBLE_SUBMIT_EVERY == 0) {
      // The application gives the form its own idempotency token, so a double click is stored once.
      String token = UUID.randomUUID().toString();
      doubleClicks.add(step.withEventId(token, Expect.DUPLICATE));
      return step.withEventId(token, Expect.STORED);
    }
    return step;
  }

  /** One visitor's whole visit, planned ahead: a few pages, maybe a click, maybe a form, maybe another site. */
  private Deque<Step> plan() {
    String sessionId = UUID.randomUUID().toString();
    Site site = sites.get(random.nextInt(sites.size()));
    boolean shared = sites.size() > 1 && random.nextDouble() < 0.25;
    Deque<Step> steps = new ArrayDeque<>();
    String path = browse(steps, site, sessionId, shared, 1 + random.nextInt(3));
    if (random.nextDouble() < 0.5) {
      steps.add(click(site, sessionId, path, pick(site.ctas()), shared));
    }
    if (shared) {
      Site other = sites.get((sites.indexOf(site) + 1 + random.nextInt(sites.size() - 1)) % sites.size());
      steps.add(click(site, sessionId, path, "visit " + other.name(), true));
      site = other;
      path = browse(steps, site, sessionId, true, 1 + random.nextInt(2));
    }
    if (random.nextDouble() < 0.35) {
      steps.add(submit(site, sessionId, path, pick(site.forms()), shared));
    }
    return steps;
  }

  private String browse(Deque<Step> steps, Site site, String sessionId, boolean shared, int pages) {
    String path = site.pages().get(0);
    for (int i = 0; i < pages; i++) {
      path = i == 0 && random.nextBoolean() ? site.pages().get(0) : pick(site.pages());
      steps.add(new Step(site, sessionId, "page interaction", "pageview", payload(site, path), Expect.STORED, null,
          shared));
    }
    return path;
  }

  private Step click(Site site, String sessionId, String path, String element, boolean shared) {
    Map<String, Object> data = payload(site, path);
    data.put("element", element);
    return new Step(site, sessionId, "page interaction", "cta click", data, Expect.STORED, null, shared);
  }

  private Step submit(Site site, String sessionId, String path, String formName, boolean shared) {
    Map<String, Object> form = new LinkedHashMap<>();
    form.put("form_name", formName);
    form.put("first_name", pick(FIRST_NAMES));
    form.put("last_name", pick(LAST_NAMES));
    Map<String, Object> data = payload(site, path);
    data.put("form", form);
    return new Step(site, sessionId, "form interaction", "submit", data, Expect.STORED, null, shared);
  }

  /** The payload with one value the event type's schema does not allow, as a buggy release would send. */
  private static Map<String, Object> violate(Step step) {
    Map<String, Object> data = new LinkedHashMap<>(step.data());
    switch (step.name()) {
      case "cta click" -> data.remove("element");
      case "submit" -> data.put("form", "first_name=John&last_name=Doe");
      default -> data.put("path", 404);
    }
    return data;
  }

  private static Map<String, Object> payload(Site site, String path) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("host", site.host());
    data.put("path", path);
    return data;
  }

  private <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }
}
