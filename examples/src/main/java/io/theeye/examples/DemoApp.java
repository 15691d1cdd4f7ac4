package io.theeye.examples;

import io.theeye.client.EyeClient;
import io.theeye.client.EyeCounters;
import io.theeye.client.EyeEvent;
import io.theeye.client.EyeListener;
import io.theeye.examples.Step.Expect;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A demo application that embeds {@code eye-client} exactly as a user would and simulates the traffic
 * of two web applications, {@code shop} and {@code blog}: visitors view pages, click calls to action and
 * submit forms, some follow a link from one site to the other within one session, and a small share of
 * the events is bad on purpose (a payload that breaks its schema, a timestamp an hour ahead, a form
 * submitted twice). At the end it flushes, closes the client and prints what the collector acknowledged
 * and the session ids it used.
 *
 * <pre>{@code
 * # in the directory where a collector started with no arguments keeps eye.db and eye.db.dev-keys
 * java -jar examples/target/eye-demo.jar
 *
 * # one key per application, as the collector was started with --app shop:... --app blog:...
 * java -jar examples/target/eye-demo.jar --app shop:shop-key:S1 --app blog:blog-key:S2 --rate 200 --duration 30s
 * }</pre>
 *
 * <p>Exit code 0 when every tracked event was acknowledged by the collector, 1 when some were not,
 * 2 for bad arguments.
 */
@Command(
    name = "eye-demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    version = "The Eye demo 0.1.0",
    description = {
        "Simulates visitors of a shop and a blog and sends their events to The Eye with eye-client.",
        "With --app, each site has its own key; with one key (--key-id/--secret) both sites send through it;",
        "with neither, it uses the quick-start collector's keys from --dev-keys."})
public final class DemoApp implements Callable<Integer> {

  /** The default collector address: {@value}. */
  public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:8080";
  /** The default key id, the shop's key of a collector started with no arguments: {@value}. */
  public static final String DEFAULT_KEY_ID = "shop-key";
  /** The site names simulated through a single key. */
  public static final List<String> DEFAULT_SITES = List.of("shop", "blog");

  /** How far ahead the deliberately bad timestamps are. */
  static final Duration FUTURE = Duration.ofHours(1);
  /** How long the client keeps retrying a batch before giving up: short, so a wrong address fails fast. */
  static final Duration RETRY_BUDGET = Duration.ofSeconds(15);
  /** How far the sender may fall behind its schedule before it stops catching up. */
  private static final long MAX_LAG_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** How many session ids of each kind the report lists. */
  static final int LISTED_SESSIONS = 5;

  @Spec
  CommandSpec spec;

  @Option(names = "--endpoint", paramLabel = "URL", defaultValue = "${env:EYE_ENDPOINT:-" + DEFAULT_ENDPOINT + "}",
      description = "The collector's base URL (env EYE_ENDPOINT; default: " + DEFAULT_ENDPOINT + ").")
  String endpoint;

  @Option(names = "--key-id", paramLabel = "ID", defaultValue = "${env:EYE_KEY_ID:-" + DEFAULT_KEY_ID + "}",
      description = "The key id both sites send with (env EYE_KEY_ID; default: " + DEFAULT_KEY_ID
          + ", the quick-start collector's shop key).")
  String keyId;

  @Option(names = "--secret", paramLabel = "SECRET", defaultValue = "${env:EYE_SECRET}",
      description = "That key's secret, as the collector printed it at startup (env EYE_SECRET, which keeps "
          + "it out of the process list).")
  String secret;

  @Option(names = "--app", paramLabel = "APP_ID:KEY_ID:SECRET",
      description = "Simulate the application APP_ID (shop, blog or any name) with its own key; repeatable. "
          + "The same value the collector's --app takes. Replaces --key-id/--secret.")
  List<String> apps = new ArrayList<>();

  @Option(names = "--dev-keys", paramLabel = "FILE", defaultValue = "${env:EYE_DEV_KEYS:-" + DevKeys.DEFAULT_FILE + "}",
      description = "Used when neither --secret nor --app is given: the keys a collector started with no "
          + "application keeps beside its database, one APP_ID:KEY_ID:SECRET per line (env EYE_DEV_KEYS; "
          + "default: ${DEFAULT-VALUE}, the quick start's).")
  Path devKeys;

  @Option(names = "--rate", paramLabel = "EVENTS_PER_S", defaultValue = "50",
      description = "Events tracked per second, over all sites (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
      description = "How long to send: 30s, 2m, 500ms, PT1M or plain seconds (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--seed", paramLabel = "N",
      description = "Seed for the visitors' choices, for a repeatable story (session ids stay random).")
  Long seed;

  @Option(names = "--journal", paramLabel = "FILE",
      description = "Write every tracked event (session, type, path, what the collector should do with it) "
          + "to FILE as JSON lines.")
  Path journal;

  private final PrintStream out;

  DemoApp(PrintStream out) {
    this.out = out;
  }

  /** Runs the demo; exits 0 when the collector acknowledged every event, 1 when not, 2 on bad arguments. */
  public static void main(String[] args) {
    System.exit(commandLine(new DemoApp(System.out)).execute(args));
  }

  static CommandLine commandLine(DemoApp app) {
    return new CommandLine(app).setUsageHelpAutoWidth(true);
  }

  /** One key and the client that sends with it. */
  private record Sender(String keyId, EyeClient client, FailureLog failures) {}

  /** The first few reasons batches were not delivered, for the report. */
  private static final class FailureLog implements EyeListener {
    private final ConcurrentLinkedQueue<String> messages = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public void onFailed(Failure failure) {
      if (count.getAndIncrement() < 3) {
        messages.add(failure.events().size() + " event(s) " + failure.reason().name().toLowerCase(Locale.ROOT)
            + (failure.status() == 0 ? "" : " (HTTP " + failure.status() + " " + failure.errorCode() + ")")
            + ": " + failure.message());
      }
    }
  }

  /** What the demo did, for the report. */
  private static final class Tally {
    final Map<Expect, Long> expected = new EnumMap<>(Expect.class);
    final Set<String> sessions = new LinkedHashSet<>();
    final Set<String> shared = new LinkedHashSet<>();
    final Set<String> withRejections = new LinkedHashSet<>();
    final Map<String, Integer> stored = new HashMap<>();
    long tracked;
    long refused;

    void add(Step step, boolean accepted) {
      sessions.add(step.sessionId());
      if (!accepted) {
        refused++;
        return;
      }
      tracked++;
      expected.merge(step.expect(), 1L, Long::sum);
      if (step.shared()) {
        shared.add(step.sessionId());
      }
      if (step.expect() == Expect.STORED) {
        stored.merge(step.sessionId(), 1, Integer::sum);
      }
      if (step.expect() == Expect.SCHEMA_VIOLATION || step.expect() == Expect.FUTURE_TIMESTAMP) {
        withRejections.add(step.sessionId());
      }
    }

    long expected(Expect e) {
      return expected.getOrDefault(e, 0L);
    }

    /** Of {@code candidates}, the session with the most stored events. */
    String longestSession(Set<String> candidates) {
      return candidates.stream()
          .max(Comparator.comparingInt(id -> stored.getOrDefault(id, 0)))
          .orElse("SESSION_ID");
    }
  }

  /**
   * Sends the simulated traffic, waits for the collector's answers and prints the report.
   *
   * @return 0 when the collector acknowledged every tracked event, 1 otherwise
   */
  @Override
  public Integer call() throws Exception {
    List<Site> sites = new ArrayList<>();
    List<Sender> senders = new ArrayList<>();
    Map<String, Sender> senderOfSite = new LinkedHashMap<>();
    try {
      validate();
      if (apps.isEmpty() && (secret == null || secret.isEmpty())) {
        apps = readDevKeys();
      }
      if (apps.isEmpty()) {
        Sender sender = sender(keyId, secret);
        senders.add(sender);
        for (String name : DEFAULT_SITES) {
          sites.add(Site.profile(name));
          senderOfSite.put(name, sender);
        }
      } else {
        for (int i = 0; i < apps.size(); i++) {
          String[] parts = apps.get(i).split(":", 3);
          if (parts.length != 3 || parts[0].isBlank() || parts[1].isBlank() || parts[2].isEmpty()) {
            // Named by position: the value may be a mistyped secret.
            throw new ParameterException(this.spec.commandLine(),
                "--app #" + (i + 1) + " must be APP_ID:KEY_ID:SECRET");
          }
          if (senderOfSite.containsKey(parts[0])) {
            throw new ParameterException(this.spec.commandLine(), "--app " + parts[0] + " is given twice");
          }
          Sender sender = sender(parts[1], parts[2]);
          senders.add(sender);
          sites.add(Site.profile(parts[0]));
          senderOfSite.put(parts[0], sender);
        }
      }
    } catch (RuntimeException e) {
      senders.forEach(s -> s.client().close(Duration.ZERO));
      throw e instanceof ParameterException p ? p : new ParameterException(spec.commandLine(), e.getMessage(), e);
    }

    Traffic traffic = new Traffic(sites, seed == null ? new Random() : new Random(seed));
    Tally tally = new Tally();
    out.printf("The Eye demo: %s at %s events/s for %s, sending to %s through %s%n",
        sites.stream().map(Site::name).collect(Collectors.joining(" and ")), formatRate(rate),
        formatDuration(duration), endpoint,
        senders.size() == 1 ? "key " + senders.get(0).keyId()
            : "keys " + senders.stream().map(Sender::keyId).collect(Collectors.joining(", ")));

    long started = System.nanoTime();
    try (Journal log = Journal.open(journal)) {
      send(traffic, senderOfSite, tally, log, started);
    }
    double seconds = (System.nanoTime() - started) / 1e9;

    out.printf("Waiting for the collector to acknowledge everything (at most %d s of retries)...%n",
        RETRY_BUDGET.toSeconds());
    CompletableFuture<?>[] flushes = senders.stream().map(s -> s.client().flush()).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(flushes).get(RETRY_BUDGET.toSeconds() + 60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      out.println("The collector did not answer in time; closing anyway.");
    } catch (ExecutionException e) {
      out.println("Flushing failed: " + e.getCause());
    }
    Map<Sender, EyeCounters> counters = new LinkedHashMap<>();
    for (Sender s : senders) {
      s.client().close(Duration.ofSeconds(5));
      counters.put(s, s.client().counters());
    }
    return report(tally, counters, seconds);
  }

  private void validate() {
    if (!(rate > 0) || rate > 100_000) {
      throw new IllegalArgumentException("--rate must be between 0 and 100000 events per second, was " + rate);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--duration must be positive, was " + duration);
    }
  }

  /** The quick-start collector's keys, kept in {@code --dev-keys}; a clear error when there are none. */
  private List<String> readDevKeys() {
    List<String> keys = DevKeys.lines(devKeys);
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no key: found no " + devKeys + " (a collector started with no "
          + "application writes it beside its database, with the keys it printed at startup). Run this in "
          + "the collector's directory, give --dev-keys FILE, give --secret (the shop key's secret) or set "
          + "EYE_SECRET, or give one --app APP_ID:KEY_ID:SECRET per application");
    }
    return new ArrayList<>(keys);
  }

  private Sender sender(String id, String keySecret) {
    FailureLog failures = new FailureLog();
    EyeClient client = EyeClient.builder()
        .endpoint(endpoint)
        .keyId(id)
        .secret(keySecret)
        .retryBudget(RETRY_BUDGET)
        .listener(failures)
        .build();
    return new Sender(id, client, failures);
  }

  /** Tracks events at the configured rate until the duration is over, printing progress once a second. */
  private void send(Traffic traffic, Map<String, Sender> senderOfSite, Tally tally, Journal log, long started) {
    long interval = Math.max(1, (long) (1e9 / rate));
    long end = started + duration.toNanos();
    long nextProgress = started + TimeUnit.SECONDS.toNanos(1);
    long progressBase = started;
    for (long n = 0; ; n++) {
      long due = started + n * interval;
      if (due >= end) {
        break;
      }
      long now = System.nanoTime();
      if (now - due > MAX_LAG_NANOS) {
        // Behind (a slow start, a pause): carry on at the rate from here rather than sending a burst.
        started = now - n * interval;
        due = now;
      }
      for (; now < due; now = System.nanoTime()) {
        LockSupport.parkNanos(due - now);
      }
      Step step = traffic.next();
      Sender sender = senderOfSite.get(step.site().name());
      boolean accepted = track(sender.client(), step);
      tally.add(step, accepted);
      log.record(n, sender.keyId(), step, accepted);
      if (due >= nextProgress && duration.toSeconds() >= 3) {
        nextProgress += TimeUnit.SECONDS.toNanos(1);
        long acknowledged = senderOfSite.values().stream().distinct()
            .mapToLong(s -> s.client().counters().acknowledged()).sum();
        out.printf("  %3d s: %d events tracked, %d acknowledged, %d sessions%n",
            TimeUnit.NANOSECONDS.toSeconds(due - progressBase), tally.tracked, acknowledged, tally.sessions.size());
      }
    }
  }

  private static boolean track(EyeClient client, Step step) {
    if (step.eventId() != null) {
      return client.track(EyeEvent.builder()
          .eventId(step.eventId())
          .sessionId(step.sessionId())
          .category(step.category())
          .name(step.name())
          .data(step.data())
          .build());
    }
    if (step.expect() == Expect.FUTURE_TIMESTAMP) {
      return client.track(step.sessionId(), step.category(), step.name(), step.data(), Instant.now().plus(FUTURE));
    }
    return client.track(step.sessionId(), step.category(), step.name(), step.data());
  }

  private int report(Tally tally, Map<Sender, EyeCounters> counters, double seconds) {
    long rejectionsExpected = tally.expected(Expect.SCHEMA_VIOLATION) + tally.expected(Expect.FUTURE_TIMESTAMP);
    out.println();
    out.printf("Tracked %d events in %.1f s in %d sessions, %d of them shared by two sites.%n",
        tally.tracked, seconds, tally.sessions.size(), tally.shared.size());
    out.printf("Bad on purpose: %d schema violations and %d future timestamps (%d rejections expected); "
            + "%d forms submitted twice with one event id (%d duplicates expected).%n",
        tally.expected(Expect.SCHEMA_VIOLATION), tally.expected(Expect.FUTURE_TIMESTAMP), rejectionsExpected,
        tally.expected(Expect.DUPLICATE), tally.expected(Expect.DUPLICATE));
    out.println();
    out.println("What the collector acknowledged (the client's counters):");
    out.printf("  %-16s %8s %9s %9s %11s %8s %7s %8s%n",
        "key id", "tracked", "accepted", "rejected", "duplicates", "dropped", "failed", "pending");
    long accepted = 0;
    long rejected = 0;
    long duplicates = 0;
    long undelivered = tally.refused;
    for (Map.Entry<Sender, EyeCounters> e : counters.entrySet()) {
      EyeCounters c = e.getValue();
      out.printf("  %-16s %8d %9d %9d %11d %8d %7d %8d%n", e.getKey().keyId(), c.tracked(), c.accepted(),
          c.rejected(), c.duplicates(), c.droppedTotal(), c.failed(), c.pending());
      accepted += c.accepted();
      rejected += c.rejected();
      duplicates += c.duplicates();
      undelivered += c.failed() + c.pending();
      e.getKey().failures().messages.forEach(m -> out.println("  not delivered: " + m));
    }
    out.printf("  total: %d accepted, %d rejected, %d duplicates, %d not delivered%n",
        accepted, rejected, duplicates, undelivered);
    if (rejected != rejectionsExpected || duplicates != tally.expected(Expect.DUPLICATE)) {
      out.printf("  Note: expected %d rejected and %d duplicates. A collector with other schemas, another "
          + "--max-future-skew, or events from an earlier run explains a difference.%n",
          rejectionsExpected, tally.expected(Expect.DUPLICATE));
    }
    out.println("  A 202 carries counts only; the collector stores each rejection with its reason:");
    out.println("    sqlite3 -readonly -header -column eye.db \\");
    out.println("      \"SELECT reason, count(*) AS n FROM rejected_events GROUP BY reason\"");
    out.println();
    out.println("Sessions used:");
    listSessions("shared by two sites", tally.shared);
    listSessions("with a rejected event", tally.withRejections);
    listSessions("all", tally.sessions);
    if (journal != null) {
      out.println("  every event, in the order tracked: " + journal.toAbsolutePath());
    }
    String example = tally.longestSession(tally.shared.isEmpty() ? tally.sessions : tally.shared);
    out.println("One session's events, in the order they occurred (eye.db is the collector's --db file):");
    out.println("  sqlite3 -readonly -header -column eye.db \\");
    out.println("    \"SELECT occurred_at, seq, app_id, category, name, json_extract(data, '$.host') AS host,"
        + " json_extract(data, '$.path') AS path"
        + " FROM events WHERE session_id = '" + example + "' ORDER BY occurred_at, seq, id\"");
    out.println();
    if (undelivered == 0) {
      out.println("Every tracked event was acknowledged by the collector.");
      return 0;
    }
    out.printf("%d event(s) were not delivered (see above).%n", undelivered);
    return 1;
  }

  private void listSessions(String label, Set<String> ids) {
    out.printf("  %s (%d)%s%n", label, ids.size(), ids.isEmpty() ? "" : ":");
    ids.stream().limit(LISTED_SESSIONS).forEach(id -> out.println("    " + id));
    if (ids.size() > LISTED_SESSIONS) {
      out.printf("    ... and %d more%n", ids.size() - LISTED_SESSIONS);
    }
  }

  private static String formatRate(double rate) {
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
  }

  private static String formatDuration(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** Reads {@code 30s}, {@code 2m}, {@code 1h}, {@code 500ms}, an ISO-8601 {@code PT30S}, or plain seconds. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    /** The duration {@code value} names; a {@link CommandLine.TypeConversionException} says how to write one. */
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      Matcher m = SIMPLE.matcher(v);
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
          case "ms" -> Duration.ofMillis(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofSeconds(n);
        };
      }
      try {
        return Duration.parse(value.trim());
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration: use 30s, 2m, 500ms, PT30S or a number of seconds");
      }
    }
  }
}
