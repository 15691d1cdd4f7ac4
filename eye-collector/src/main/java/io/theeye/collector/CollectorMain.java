package io.theeye.collector;

import io.theeye.collector.console.AdminSettings;
import io.theeye.collector.ingest.EventWriter;
import io.theeye.collector.schema.EventType;
import io.theeye.collector.schema.SchemaLoadException;
import io.theeye.collector.schema.SchemaRegistry;
import io.theeye.collector.storage.EventStore;
import io.theeye.collector.storage.EventStores;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.postgres.PostgresEventStore;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.collector.storage.sqlite.SqliteSync;
import io.theeye.model.EyeProtocol;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The collector's command line: {@code java -jar eye-collector.jar [options]}.
 *
 * <pre>{@code
 * java -jar eye-collector/target/eye-collector.jar                       # 127.0.0.1:8080, ./eye.db, demo app
 * java -jar eye-collector.jar --port 9000 --db /var/lib/eye/eye.db \
 *     --app shop:shop-key-1:SECRET --schemas /etc/eye/schemas
 * EYE_APP_SHOP=shop:shop-key-1:SECRET java -jar eye-collector.jar --config /etc/eye/collector.properties
 * }</pre>
 *
 * <p>Every flag has a config-file key (the flag's name without dashes) and an environment variable
 * ({@code EYE_} + the key in upper case, dashes as underscores); a flag wins over the environment,
 * which wins over the file. Standard output gets the startup lines, ending with
 * {@code listening on http://H:N}; logs go to standard error. On SIGTERM the collector drains, commits,
 * closes the database and exits 0; on SIGHUP it reloads its keys and schemas ({@link Collector#reload()}).
 * The subcommands {@code backup} and {@code replay} ({@link OperationsCommands}) work on a database
 * instead of serving. See {@code docs/operations.md}.
 */
@Command(
    name = "eye-collector",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Receives signed behaviour events over HTTP and stores them in SQLite.%n"
        + "Flags, config-file keys and EYE_* environment variables: see docs/operations.md.")
public final class CollectorMain implements Callable<Integer> {

  /**
   * The demo applications when nothing is configured, as {@code APP_ID:KEY_ID}: a shop and a blog, so that
   * the quick start has sessions that span two applications.
   */
  public static final List<String> DEMO_APPS = List.of("shop:shop-key", "blog:blog-key");
  /**
   * Appended to a SQLite database's path: the file that keeps the development keys across restarts, one
   * {@code APP_ID:KEY_ID:SECRET} per line (the form {@code --app} takes).
   */
  public static final String DEV_KEYS_SUFFIX = ".dev-keys";
  /** The startup line naming the admin console's address, when one is configured: {@value}. */
  public static final String ADMIN_PREFIX = "admin console on ";
  /** The first line of the startup output once the server is listening: {@value}. */
  public static final String LISTENING_PREFIX = "listening on ";

  @Option(names = "--config", paramLabel = "FILE",
      description = "A Java properties file with any of these options as keys (without the dashes).")
  Path config;

  @Option(names = "--host", paramLabel = "H", defaultValue = Collector.DEFAULT_HOST,
      description = "Listen address (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", paramLabel = "N", defaultValue = "" + Collector.DEFAULT_PORT,
      description = "Listen port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--db", paramLabel = "PATH|URL", defaultValue = Collector.DEFAULT_DB,
      description = "SQLite file, or a jdbc:postgresql://HOST:PORT/DB URL (default: ${DEFAULT-VALUE}).")
  String db;

  @Option(names = "--db-user", paramLabel = "NAME",
      description = "PostgreSQL user (default: the URL's user= or the driver's default).")
  String dbUser;

  @Option(names = "--db-password", paramLabel = "SECRET",
      description = "PostgreSQL password; prefer EYE_DB_PASSWORD or the config file (a flag shows in ps).")
  String dbPassword;

  @Option(names = "--app", paramLabel = "APP_ID:KEY_ID:SECRET",
      description = "An application and one of its keys; repeatable (two keys for one app = rotation).")
  List<String> apps = new ArrayList<>();

  @Option(names = "--schemas", paramLabel = "DIR",
      description = "A directory of JSON Schema files, one per event type (default: the bundled schemas).")
  Path schemas;

  @Option(names = "--unknown-types", paramLabel = "accept|reject", defaultValue = "accept",
      description = "What to do with event types that have no schema (default: ${DEFAULT-VALUE}).")
  UnknownTypes unknownTypes;

  @Option(names = "--ack", paramLabel = "durable|queued", defaultValue = "durable",
      description = "Answer 202 after the commit (durable) or once queued (default: ${DEFAULT-VALUE}).")
  AckMode ack;

  @Option(names = "--sync", paramLabel = "full|normal", defaultValue = "full",
      description = "SQLite synchronous mode for commits (default: ${DEFAULT-VALUE}).")
  SqliteSync sync;

  @Option(names = "--wal-limit-bytes", paramLabel = "BYTES",
      defaultValue = "" + SqliteEventStore.DEFAULT_WAL_LIMIT_BYTES,
      description = "SQLite: the WAL size above which it is restarted, holding the writer back briefly "
          + "with a bounded wait for readers (default: ${DEFAULT-VALUE}, 64 MiB).")
  long walLimitBytes;

  @Option(names = "--queue-capacity", paramLabel = "N", defaultValue = "" + Collector.DEFAULT_QUEUE_CAPACITY,
      description = "Events the in-memory queue holds before answering 503 (default: ${DEFAULT-VALUE}).")
  int queueCapacity;

  @Option(names = "--queue-capacity-bytes", paramLabel = "BYTES",
      defaultValue = "" + EventWriter.DEFAULT_CAPACITY_BYTES,
      description = "Estimated memory the in-memory queue may hold before answering 503 (default: ${DEFAULT-VALUE}).")
  long queueCapacityBytes;

  @Option(names = "--body-timeout", paramLabel = "SECONDS", defaultValue = "" + Collector.DEFAULT_BODY_TIMEOUT_SECONDS,
      description = "How long a request's headers, and then its body, may take to arrive; a slower connection is"
          + " closed (default: ${DEFAULT-VALUE}).")
  long bodyTimeoutSeconds;

  @Option(names = "--max-connections", paramLabel = "N", defaultValue = "" + Collector.DEFAULT_MAX_CONNECTIONS,
      description = "Open connections at most; past it new ones wait to be accepted (default: ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(names = "--max-receiving-bytes", paramLabel = "BYTES",
      defaultValue = "" + Collector.DEFAULT_MAX_RECEIVING_BYTES,
      description = "Bytes all request bodies being received may hold at once before answering 503"
          + " (default: ${DEFAULT-VALUE}).")
  long maxReceivingBytes;

  @Option(names = "--max-future-skew", paramLabel = "SECONDS",
      defaultValue = "" + EyeProtocol.DEFAULT_MAX_FUTURE_SKEW_SECONDS,
      description = "How far ahead of the clock an event timestamp may be (default: ${DEFAULT-VALUE}).")
  long maxFutureSkewSeconds;

  @Option(names = "--signature-window", paramLabel = "SECONDS",
      defaultValue = "" + EyeProtocol.DEFAULT_SIGNATURE_WINDOW_SECONDS,
      description = "How far a signature's t may be from the clock (default: ${DEFAULT-VALUE}).")
  long signatureWindowSeconds;

  @Option(names = "--max-body-bytes", paramLabel = "BYTES", defaultValue = "" + EyeProtocol.DEFAULT_MAX_WIRE_BYTES,
      description = "Largest request body on the wire (default: ${DEFAULT-VALUE}).")
  int maxBodyBytes;

  @Option(names = "--max-decoded-bytes", paramLabel = "BYTES",
      defaultValue = "" + EyeProtocol.DEFAULT_MAX_DECODED_BYTES,
      description = "Largest request body after gzip decompression (default: ${DEFAULT-VALUE}).")
  int maxDecodedBytes;

  @Option(names = "--max-events-per-request", paramLabel = "N",
      defaultValue = "" + EyeProtocol.DEFAULT_MAX_EVENTS_PER_REQUEST,
      description = "Most events in one request (default: ${DEFAULT-VALUE}).")
  int maxEventsPerRequest;

  @Option(names = "--max-data-bytes", paramLabel = "BYTES", defaultValue = "" + EyeProtocol.DEFAULT_MAX_DATA_BYTES,
      description = "Largest serialized data object of one event (default: ${DEFAULT-VALUE}).")
  int maxDataBytes;

  @Option(names = "--summary-interval", paramLabel = "SECONDS",
      defaultValue = "" + Collector.DEFAULT_SUMMARY_INTERVAL_SECONDS,
      description = "How often to log one line of accepted and rejected counts and the types seen without a "
          + "schema; 0 turns it off (default: ${DEFAULT-VALUE}).")
  long summaryIntervalSeconds;

  @Option(names = "--retain-events", paramLabel = "DURATION",
      description = "Delete events received longer ago, e.g. 30d, 12h, PT90M (default: keep forever; SQLite).")
  String retainEvents;

  @Option(names = "--retain-rejected", paramLabel = "DURATION",
      description = "Delete rejected rows received longer ago, e.g. 7d (default: keep forever; SQLite).")
  String retainRejected;

  @Option(names = "--admin-port", paramLabel = "N",
      description = "Serve the admin console on this port (0 picks a free one); off unless given.")
  Integer adminPort;

  @Option(names = "--admin-host", paramLabel = "H", defaultValue = AdminSettings.DEFAULT_HOST,
      description = "Admin console listen address (default: ${DEFAULT-VALUE}); any other needs --admin-token.")
  String adminHost;

  @Option(names = "--admin-token", paramLabel = "SECRET",
      description = "Token the admin console asks for; prefer EYE_ADMIN_TOKEN (a flag shows in ps).")
  String adminToken;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;
  private CollectorSettings settings;
  private Path configFile;
  private List<String> configKeys;
  private List<ApplicationKey> demoKeys;
  private Collector collector;

  CollectorMain(Map<String, String> env, PrintStream out, PrintStream err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  /** Starts the collector and keeps it running until SIGTERM; exits non-zero when it cannot start. */
  public static void main(String[] args) {
    Fatal.installHandler();
    CollectorMain main = new CollectorMain(System.getenv(), System.out, System.err);
    CommandLine cmd;
    try {
      cmd = main.commandLine(args);
    } catch (IllegalArgumentException e) {
      System.err.println("eye-collector: " + e.getMessage());
      System.exit(2);
      return;
    }
    int code = cmd.execute(args);
    if (code != 0 || main.collector == null) {
      System.exit(code);
    }
    Collector running = main.collector;
    reloadOnSighup(running);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.close();
      System.out.flush();
      // The JVM would exit with 143 after SIGTERM; a graceful stop that committed everything is a success.
      Runtime.getRuntime().halt(0);
    }, "eye-collector-shutdown-hook"));
    running.whenTerminated().join();
  }

  /**
   * The picocli command line, with the config file (from {@code --config} or {@code EYE_CONFIG}) and the
   * environment as the source of defaults.
   *
   * @throws IllegalArgumentException when the config file cannot be read or holds an unknown key
   */
  CommandLine commandLine(String[] args) {
    CommandLine cmd = new CommandLine(this);
    cmd.setOut(new java.io.PrintWriter(out, true));
    cmd.setErr(new java.io.PrintWriter(err, true));
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setUsageHelpAutoWidth(true);
    Path configFile = findConfigArgument(args);
    String fromEnv = env.get(CollectorSettings.envName("config"));
    if (configFile == null && fromEnv != null && !fromEnv.isBlank()) {
      configFile = Path.of(fromEnv.trim());
    }
    List<String> keys = cmd.getCommandSpec().options().stream()
        .filter(o -> !o.usageHelp())
        .map(CollectorMain::configKey)
        .filter(k -> !k.equals("config") && !k.equals(CollectorSettings.APP_KEY))
        .collect(Collectors.toList());
    settings = CollectorSettings.load(configFile, env, keys);
    this.configFile = configFile;
    this.configKeys = keys;
    cmd.setDefaultValueProvider(arg -> {
      if (!(arg instanceof OptionSpec option) || option.usageHelp()) {
        return null;
      }
      String key = configKey(option);
      return key.equals("config") || key.equals(CollectorSettings.APP_KEY) ? null : settings.value(key);
    });
    cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("eye-collector: " + e.getMessage());
      return 1;
    });
    OperationsCommands.addTo(cmd, out, err);
    return cmd;
  }

  /** The config-file key of an option: its long name without the dashes, e.g. {@code queue-capacity}. */
  static String configKey(OptionSpec option) {
    return option.longestName().replaceFirst("^-+", "");
  }

  private static Path findConfigArgument(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--config=")) {
        return Path.of(args[i].substring("--config=".length()));
      }
    }
    return null;
  }

  @Override
  public Integer call() throws StorageException {
    Collector.Builder builder;
    List<ApplicationKey> keys;
    try {
      keys = applicationKeys();
      builder = builder(keys);
    } catch (IllegalArgumentException | SchemaLoadException e) {
      err.println("eye-collector: " + e.getMessage());
      return 2;
    }
    boolean demo = keys.isEmpty();
    Path devKeys = demo ? devKeysFile() : null;
    List<ApplicationKey> kept = devKeys == null ? null : readDevKeys(devKeys);
    if (demo) {
      keys = kept != null ? kept : newDemoKeys();
      keys.forEach(builder::key);
      demoKeys = keys;
    }
    try {
      collector = builder.start();
    } catch (IllegalStateException | IllegalArgumentException e) {
      err.println("eye-collector: " + e.getMessage());
      return 2;
    }
    if (devKeys != null && kept == null) {
      keepDevKeys(devKeys, keys);
    }
    printStartup(keys, demo, devKeys);
    return 0;
  }

  /** The running collector, once {@link #call()} started it. */
  Collector collector() {
    return collector;
  }

  /** The collector's settings from the parsed options (everything but the keys and the demo app). */
  Collector.Builder builder(List<ApplicationKey> keys) {
    Collector.Builder b = Collector.builder()
        .host(host)
        .port(port)
        .unknownTypes(unknownTypes)
        .ack(ack)
        .queueCapacity(queueCapacity)
        .queueCapacityBytes(queueCapacityBytes)
        .maxFutureSkew(Duration.ofSeconds(maxFutureSkewSeconds))
        .signatureWindow(Duration.ofSeconds(signatureWindowSeconds))
        .maxBodyBytes(maxBodyBytes)
        .maxDecodedBytes(maxDecodedBytes)
        .maxEventsPerRequest(maxEventsPerRequest)
        .maxDataBytes(maxDataBytes)
        .bodyTimeout(Duration.ofSeconds(bodyTimeoutSeconds))
        .summaryInterval(Duration.ofSeconds(summaryIntervalSeconds))
        .maxConnections(maxConnections)
        .maxReceivingBytes(maxReceivingBytes)
        .schemas(loadSchemas())
        .reloadFrom(this::reloadKeysAndSchemas);
    if (retainEvents != null && !retainEvents.isBlank()) {
      b.retainEvents(retention("--retain-events", retainEvents));
    }
    if (retainRejected != null && !retainRejected.isBlank()) {
      b.retainRejected(retention("--retain-rejected", retainRejected));
    }
    if (adminPort != null) {
      b.admin(new AdminSettings(adminHost, adminPort, blankToNull(adminToken)));
    }
    keys.forEach(b::key);
    // Last, so that nothing above can fail after the store (a PostgreSQL pool) exists; the collector
    // opens and closes it.
    return b.store(store());
  }

  /** The store {@code --db} names, with the options of its backend: SQLite's sync, PostgreSQL's user. */
  EventStore store() {
    EventStores.requireSupported(db);
    if (EventStores.isPostgres(db)) {
      return PostgresEventStore.builder(db).user(blankToNull(dbUser)).password(blankToNull(dbPassword)).build();
    }
    if (walLimitBytes < SqliteEventStore.MIN_WAL_LIMIT_BYTES) {
      throw new IllegalArgumentException("--wal-limit-bytes must be at least " + SqliteEventStore.MIN_WAL_LIMIT_BYTES
          + " (1 MiB), was " + walLimitBytes);
    }
    return new SqliteEventStore(Path.of(db), sync,
        Duration.ofMillis(SqliteEventStore.DEFAULT_BUSY_TIMEOUT_MILLIS), walLimitBytes);
  }

  /**
   * Keys from the config file, then the environment, then {@code --app}: a later definition of the same
   * key id replaces an earlier one, so a flag wins. Error messages name the source, never the secret.
   */
  List<ApplicationKey> applicationKeys() {
    return applicationKeys(settings);
  }

  private List<ApplicationKey> applicationKeys(CollectorSettings from) {
    Map<String, ApplicationKey> byKeyId = new LinkedHashMap<>();
    for (Map.Entry<String, String> spec : from.applicationSpecs()) {
      ApplicationKey key = parseKey(spec.getKey(), spec.getValue());
      byKeyId.put(key.keyId(), key);
    }
    for (int i = 0; i < apps.size(); i++) {
      ApplicationKey key = parseKey("--app #" + (i + 1), apps.get(i));
      byKeyId.put(key.keyId(), key);
    }
    return new ArrayList<>(byKeyId.values());
  }

  private SchemaRegistry loadSchemas() {
    return schemas == null ? SchemaRegistry.bundled() : SchemaRegistry.load(schemas);
  }

  /**
   * What a reload serves: the keys of the config file read again, the environment and the flags (a
   * later definition of a key id wins, as at startup), and the schema directory read again. The demo
   * keys stay when the collector started with them and still no key is configured. Other settings need a
   * restart.
   *
   * @throws IllegalArgumentException when the config file cannot be read, a key is malformed, or a key id
   *     is configured twice
   * @throws SchemaLoadException when a schema does not load
   */
  KeysAndSchemas reloadKeysAndSchemas() {
    List<ApplicationKey> keys = applicationKeys(CollectorSettings.load(configFile, env, configKeys));
    if (keys.isEmpty() && demoKeys != null) {
      keys = demoKeys;
    }
    return new KeysAndSchemas(keys, loadSchemas());
  }

  /**
   * SIGHUP reloads the keys and schemas instead of stopping the JVM (its default). {@code sun.misc.Signal}
   * because the JDK has no supported API for signals.
   */
  private static void reloadOnSighup(Collector collector) {
    try {
      sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> collector.reload());
      if (before == sun.misc.SignalHandler.SIG_IGN) {
        // A JVM started with SIGHUP ignored (nohup) keeps it ignored and installs nothing.
        System.err.println("eye-collector: SIGHUP is ignored in this process (started under nohup?), so kill -HUP"
            + " cannot reload it; start it without nohup (systemd, a container, a terminal) to reload");
      }
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      System.err.println("eye-collector: cannot handle SIGHUP here (" + e.getMessage() + "); restart to reload");
    }
  }

  /**
   * A retention window: a number with a unit ({@code 30d}, {@code 12h}, {@code 90m}, {@code 45s}) or an
   * ISO-8601 duration ({@code P30D}, {@code PT12H}); positive.
   */
  static Duration retention(String option, String text) {
    String t = text.strip();
    Duration window;
    try {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([dhms])").matcher(t);
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        window = switch (m.group(2)) {
          case "d" -> Duration.ofDays(n);
          case "h" -> Duration.ofHours(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofSeconds(n);
        };
      } else {
        window = Duration.parse(t);
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(option + " must be a duration such as 30d, 12h, 90m or P30D, was '" + t + "'", e);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException(option + " must be positive, was '" + t + "'");
    }
    return window;
  }

  /** An empty value (e.g. {@code EYE_DB_PASSWORD=}) means none. */
  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static ApplicationKey parseKey(String origin, String spec) {
    try {
      return ApplicationKey.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(origin + ": " + e.getMessage(), e);
    }
  }

  /** The demo applications' keys, each with a new random secret. */
  private static List<ApplicationKey> newDemoKeys() {
    SecureRandom random = new SecureRandom();
    List<ApplicationKey> keys = new ArrayList<>();
    for (String app : DEMO_APPS) {
      byte[] secret = new byte[16];
      random.nextBytes(secret);
      keys.add(ApplicationKey.parse(app + ":" + HexFormat.of().formatHex(secret)));
    }
    return keys;
  }

  /**
   * Where the development keys are kept so that they survive restarts: beside a SQLite database file, as
   * {@code <db>.dev-keys}. None for PostgreSQL or an in-memory database.
   */
  private Path devKeysFile() {
    String location = db == null ? Collector.DEFAULT_DB : db;
    if (location.startsWith("jdbc:") || location.startsWith(":memory:") || location.startsWith("file:")) {
      return null;
    }
    return Path.of(location + DEV_KEYS_SUFFIX);
  }

  /**
   * The demo keys kept in {@code file}, or null when there are none or they are not the ones we write
   * (an older single-secret file, an edited one): then new keys replace them.
   */
  private List<ApplicationKey> readDevKeys(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .map(String::strip).filter(l -> !l.isEmpty()).toList();
      if (lines.size() == DEMO_APPS.size()) {
        List<ApplicationKey> keys = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          String prefix = DEMO_APPS.get(i) + ":";
          if (!line.startsWith(prefix) || !line.substring(prefix.length()).matches("[0-9a-f]{32}")) {
            break;
          }
          keys.add(ApplicationKey.parse(line));
        }
        if (keys.size() == DEMO_APPS.size()) {
          return keys;
        }
      }
      err.println("eye-collector: ignoring " + file + ": it does not hold this version's development keys;"
          + " using new ones");
    } catch (IOException e) {
      err.println("eye-collector: cannot read " + file + " (" + e.getMessage() + "); using new development keys");
    }
    return null;
  }

  /** Keeps new development keys, readable by their owner only. Failing to keep them is only a warning. */
  private void keepDevKeys(Path file, List<ApplicationKey> keys) {
    StringBuilder lines = new StringBuilder();
    keys.forEach(k -> lines.append(k.appId()).append(':').append(k.keyId()).append(':')
        .append(new String(k.secret(), StandardCharsets.UTF_8)).append('\n'));
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(tmp);
      }
      Files.writeString(tmp, lines, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      err.println("eye-collector: cannot keep the development keys in " + file + " (" + e.getMessage()
          + "); they will change at the next start");
    }
  }

  private void printStartup(List<ApplicationKey> keys, boolean demo, Path devKeys) {
    out.println("database: " + collector.describeStore());
    Map<String, List<String>> keyIdsByApp = new TreeMap<>();
    keys.forEach(k -> keyIdsByApp.computeIfAbsent(k.appId(), a -> new ArrayList<>()).add(k.keyId()));
    keyIdsByApp.forEach((app, keyIds) ->
        out.println("application " + app + ": key id" + (keyIds.size() > 1 ? "s " : " ") + String.join(", ", keyIds)));
    if (demo) {
      out.println("DEVELOPMENT DEFAULT: no application is configured, so this run uses two demo applications.");
      keys.forEach(key -> out.println("  app id: " + key.appId() + "  key id: " + key.keyId() + "  secret: "
          + new String(key.secret(), StandardCharsets.UTF_8)));
      out.println(devKeys != null && Files.isRegularFile(devKeys)
          ? "  The keys are kept in " + devKeys + " and stay the same across restarts (delete the file for new"
              + " ones); the demo app reads them from there. Configure --app APP_ID:KEY_ID:SECRET for real use;"
              + " then that file is not used."
          : "  The secrets are random and new at every start. Configure --app APP_ID:KEY_ID:SECRET for real use.");
    }
    SchemaRegistry registry = collector.schemas();
    out.println("schemas: " + registry.size() + " from " + registry.origin()
        + (registry.size() == 0 ? "" : ": " + registry.types().stream().map(EventType::toString)
            .collect(Collectors.joining(", "))));
    out.println("unknown event types: " + unknownTypes.name().toLowerCase(java.util.Locale.ROOT)
        + "; ack: " + ack.name().toLowerCase(java.util.Locale.ROOT)
        + "; queue capacity: " + queueCapacity + " rows, " + queueCapacityBytes + " bytes");
    if (retainEvents != null || retainRejected != null) {
      out.println("retention: events " + (retainEvents == null ? "kept" : retainEvents) + ", rejected rows "
          + (retainRejected == null ? "kept" : retainRejected));
    }
    if (collector.adminUri() != null) {
      out.println(ADMIN_PREFIX + collector.adminUri());
    }
    out.println(LISTENING_PREFIX + collector.uri());
    out.flush();
  }
}
