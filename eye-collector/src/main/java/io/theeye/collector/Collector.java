package io.theeye.collector;

import io.theeye.collector.console.AdminConsole;
import io.theeye.collector.console.AdminSettings;
import io.theeye.collector.console.ConsoleSources;
import io.theeye.collector.console.KeyActivity;
import io.theeye.collector.http.EdgeLimits;
import io.theeye.collector.http.HttpEdge;
import io.theeye.collector.ingest.EventValidator;
import io.theeye.collector.ingest.EventWriter;
import io.theeye.collector.ingest.Ingest;
import io.theeye.collector.schema.SchemaRegistry;
import io.theeye.collector.storage.EventStore;
import io.theeye.collector.storage.EventStores;
import io.theeye.collector.storage.StorageException;
import io.theeye.collector.storage.sqlite.SqliteEventStore;
import io.theeye.model.EventReader;
import io.theeye.model.EyeProtocol;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;

/**
 * A running collector: the HTTP edge, the writer and the database, started and stopped together.
 *
 * <pre>{@code
 * try (Collector collector = Collector.builder()
 *     .port(0)                                   // any free port
 *     .db(tempDir.resolve("eye.db").toString())
 *     .app("shop", "shop-key-1", "a-long-random-secret")
 *     .start()) {
 *   URI events = collector.uri().resolve("/v1/events");
 *   ...
 * }                                              // close(): drain, commit, close the database
 * }</pre>
 *
 * <p>{@link #shutdown()} stops taking requests (new ones get 503 {@code shutting_down}), lets those in
 * flight finish, has the writer commit everything queued, then stops the server and closes the
 * database. {@code CollectorMain} is the command-line front end.
 */
public final class Collector implements AutoCloseable {

  /** Default listen address: {@value}. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Default port: {@value}. */
  public static final int DEFAULT_PORT = 8080;
  /** Default SQLite file: {@value}. */
  public static final String DEFAULT_DB = "eye.db";
  /** Default queue capacity, in rows (events plus rejected rows): {@value}. */
  public static final int DEFAULT_QUEUE_CAPACITY = 50_000;
  /** Default time a request body may take to arrive, headers to last byte: {@value} seconds. */
  public static final long DEFAULT_BODY_TIMEOUT_SECONDS = 10;
  /** How often the one-line ingest summary is logged: {@value} s. */
  public static final long DEFAULT_SUMMARY_INTERVAL_SECONDS = 60;
  /** Default bytes all request bodies being received may hold at once: {@value} (64 MiB). */
  public static final long DEFAULT_MAX_RECEIVING_BYTES = 64L << 20;
  /** Default limit on open connections: {@value}. */
  public static final int DEFAULT_MAX_CONNECTIONS = 1000;
  /** The most bytes of request headers: {@value}. */
  public static final int MAX_HEADER_BYTES = 16 << 10;
  /** How long a body waits for a parsing slot before it is answered 503. */
  static final Duration PARSE_WAIT = Duration.ofSeconds(2);

  /** How long a shutdown waits for requests in flight, and again for the writer: {@value} seconds. */
  public static final long DRAIN_TIMEOUT_SECONDS = 30;

  private static final Logger log = LoggerFactory.getLogger(Collector.class);

  private final Builder config;
  private final EventStore store;
  private final EventWriter writer;
  private final HttpEdge edge;
  private final Undertow server;
  private final PrometheusCollectorMetrics metrics;
  private final IngestSummary summary;
  private final InetSocketAddress address;
  private final Ingest.Factory ingests;
  private final Callable<KeysAndSchemas> reloadSource;
  /** The keys and schemas being served; replaced whole by {@link #reload}. */
  private volatile KeysAndSchemas live;
  private final AdminConsole console;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  private final Instant started;
  private final KeyActivity activity;

  private Collector(Builder b) throws StorageException {
    this.started = b.clock.instant();
    this.activity = b.admin == null ? null : new KeyActivity(b.keys, b.clock);
    this.config = b;
    this.store = b.store;
    this.metrics = new PrometheusCollectorMetrics();
    metrics.queueCapacity(b.queueCapacity);
    metrics.keysConfigured(b.keys);
    // Bind first: a port in use must fail before the database is created or migrated. Until the edge is
    // ready (the database is opening and migrating), requests are answered 503 with Retry-After: 1, which
    // every client retries.
    AtomicReference<HttpHandler> handler = new AtomicReference<>(exchange -> {
      exchange.setStatusCode(503);
      exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, "1");
      exchange.endExchange();
    });
    this.server = Undertow.builder()
        .addHttpListener(b.port, b.host)
        .setHandler(exchange -> handler.get().handleRequest(exchange))
        .setWorkerOption(Options.WORKER_NAME, "eye-http")
        // Headers are read before anything is authenticated: keep them small and quick.
        .setServerOption(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_BYTES)
        .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) b.bodyTimeout.toMillis())
        .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 120_000)
        // Past the high-water mark the listener stops accepting until connections fall to the low one.
        .setServerOption(Options.CONNECTION_HIGH_WATER, b.maxConnections)
        .setServerOption(Options.CONNECTION_LOW_WATER, Math.max(1, b.maxConnections * 9 / 10))
        .build();
    try {
      server.start();
    } catch (RuntimeException e) {
      store.close();
      metrics.close();
      throw listenFailure(b.host, b.port, e);
    }
    this.live = new KeysAndSchemas(b.keys, b.schemas);
    this.reloadSource = b.reloadSource != null ? b.reloadSource : defaultReloadSource(b);
    try {
      store.open(live.applicationIds());
    } catch (StorageException | RuntimeException e) {
      server.stop();
      store.close();
      metrics.close();
      throw e;
    }
    if (store instanceof SqliteEventStore sqlite) {
      metrics.sqliteWal(sqlite.walStats());
    }
    this.writer = new EventWriter(store, b.queueCapacity, b.queueCapacityBytes, metrics);
    if (b.ack == AckMode.QUEUED) {
      // Acknowledged already: a request behind a failed transaction waits for the next one.
      writer.keepQueuedThroughFailures();
    }
    if (b.retainEvents != null || b.retainRejected != null) {
      writer.retain(new EventWriter.Retention(b.retainEvents, b.retainRejected, b.clock));
    }
    writer.start();
    try {
      EventReader reader = EventReader.withLimits(b.maxEventsPerRequest, b.maxDataBytes);
      this.ingests = schemas -> new Ingest(reader, new EventValidator(schemas, b.unknownTypes, b.maxFutureSkew),
          writer, metrics, b.ack);
      Ingest ingest = ingests.create(b.schemas);
      EdgeLimits limits = new EdgeLimits(b.maxBodyBytes, b.maxDecodedBytes, b.bodyTimeout, b.maxReceivingBytes,
          b.maxConcurrentParses, PARSE_WAIT);
      this.edge = new HttpEdge(new HttpEdge.Settings(List.copyOf(b.keys), ingest, writer, store::isWritable,
          metrics, metrics::scrape, b.clock, b.signatureWindow, limits));
      this.console = b.admin == null ? null : startConsole(b);
      handler.set(console == null ? edge.handler() : activity.wrap(edge.handler()));
    } catch (RuntimeException e) {
      // Nothing was queued: the writer stops at once, and only then may the store close.
      server.stop();
      writer.shutdown().exceptionally(t -> null).join();
      store.close();
      metrics.close();
      throw e;
    }
    this.address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
    this.summary = new IngestSummary(metrics, b.summaryInterval);
  }

  /** The admin console on its own listener, reading what this collector counts and stores. */
  private AdminConsole startConsole(Builder b) {
    Path sqliteFile = store instanceof SqliteEventStore sqlite ? sqlite.file() : null;
    return AdminConsole.start(b.admin, new ConsoleSources(metrics.registry(), this::schemas, b.keys, sqliteFile,
        store.describe(), activity, started, b.clock));
  }

  /**
   * {@code cannot listen on H:N: address already in use} (or the cause's message) for a failed bind;
   * an I/O failure, not a setting, so the command line exits 1 as for an unreachable database.
   */
  private static RuntimeException listenFailure(String host, int port, RuntimeException e) {
    String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    Throwable root = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      root = t;
      if (t instanceof BindException) {
        break;
      }
    }
    String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    if (why.toLowerCase(Locale.ROOT).contains("already in use")) {
      why = "address already in use";
    }
    String message = "cannot listen on " + address + ": " + why;
    return root instanceof IOException io ? new UncheckedIOException(message, io) : new IllegalStateException(message, e);
  }

  /** Without a source of its own, a reload keeps the keys and re-reads a schema directory, if one was given. */
  private static Callable<KeysAndSchemas> defaultReloadSource(Builder b) {
    List<ApplicationKey> keys = List.copyOf(b.keys);
    SchemaRegistry schemas = b.schemas;
    Path directory = b.schemaDirectory;
    return () -> new KeysAndSchemas(keys, directory == null ? schemas : SchemaRegistry.load(directory));
  }

  /**
   * Re-reads the keys and schemas from the builder's {@linkplain Builder#reloadFrom reload source}
   * (the command line: its config file, environment, flags and schema directory; SIGHUP calls this)
   * and {@linkplain #reload(KeysAndSchemas) swaps them in}. A set that does not load is refused whole:
   * the log line {@code reload refused, still serving the previous keys and schemas: <what is wrong>}
   * and {@code eye_config_reloads_total{result="failed"}} say so, and the previous set keeps serving.
   *
   * @return whether the new set is now served
   */
  public synchronized boolean reload() {
    KeysAndSchemas next;
    try {
      next = reloadSource.call();
    } catch (Exception e) {
      return refuseReload(e.getMessage() == null ? e.toString() : e.getMessage());
    }
    return reload(next);
  }

  /**
   * Serves {@code next} from the next request on: requests already authenticated finish under the
   * previous set, nothing is refused meanwhile. Applications it adds are recorded in {@code
   * applications} first; when that fails, the reload is refused whole.
   *
   * @return whether {@code next} is now served
   */
  public synchronized boolean reload(KeysAndSchemas next) {
    Objects.requireNonNull(next, "next");
    KeysAndSchemas previous = live;
    Set<String> added = new LinkedHashSet<>(next.applicationIds());
    added.removeAll(previous.applicationIds());
    Set<String> removed = new LinkedHashSet<>(previous.applicationIds());
    removed.removeAll(next.applicationIds());
    try {
      if (!added.isEmpty()) {
        store.recordApplications(added);
      }
      edge.swap(next.keys(), ingests.create(next.schemas()));
    } catch (StorageException | RuntimeException e) {
      return refuseReload(e.getMessage());
    }
    live = next;
    metrics.keysConfigured(next.keys());
    if (activity != null) {
      activity.keysConfigured(next.keys());
    }
    metrics.configReloaded(true);
    log.info("reloaded: {} key(s) of {} application(s) (added: {}; removed: {}), {} schema(s) from {}",
        next.keys().size(), next.applicationIds().size(), added.isEmpty() ? "none" : String.join(", ", added),
        removed.isEmpty() ? "none" : String.join(", ", removed), next.schemas().size(), next.schemas().origin());
    return true;
  }

  private boolean refuseReload(String why) {
    metrics.configReloaded(false);
    log.error("reload refused, still serving the previous keys and schemas: {}", why);
    return false;
  }

  /** A builder with every default of the command line. */
  public static Builder builder() {
    return new Builder();
  }

  /** The port the server is bound to (the real one when built with port 0). */
  public int port() {
    return address.getPort();
  }

  /** The host the server listens on, as configured. */
  public String host() {
    return config.host;
  }

  /** {@code http://host:port}, with an IPv6 host in brackets. */
  public URI uri() {
    String host = config.host.contains(":") ? "[" + config.host + "]" : config.host;
    return URI.create("http://" + host + ":" + port());
  }

  /** The admin console's address ({@code http://host:port/}), or {@code null} when none was configured. */
  public URI adminUri() {
    return console == null ? null : console.uri();
  }

  /** The store's description, never with a password. */
  public String describeStore() {
    return store.describe();
  }

  /** The schemas being served (the latest reloaded ones). */
  public SchemaRegistry schemas() {
    return live.schemas();
  }

  /** The acknowledgement mode. */
  public AckMode ack() {
    return config.ack;
  }

  /** The keys being served, the latest reloaded ones (their secrets are never printed by {@code toString()}). */
  public List<ApplicationKey> keys() {
    return live.keys();
  }

  /** The periodic ingest summary (package-private, for tests). */
  IngestSummary summary() {
    return summary;
  }

  /** The metrics registry behind {@code GET /metrics}. */
  public PrometheusCollectorMetrics metrics() {
    return metrics;
  }

  /**
   * Stops gracefully: new requests get 503 {@code shutting_down}; requests in flight finish; the writer
   * commits everything queued; then the server stops and the database is closed. Idempotent; runs on
   * its own thread.
   *
   * @return completes when everything is stopped
   */
  public CompletableFuture<Void> shutdown() {
    if (stopping.compareAndSet(false, true)) {
      Thread t = new Thread(this::stop, "eye-collector-shutdown");
      t.setDaemon(false);
      t.start();
    }
    return terminated.copy();
  }

  /** Completes once the collector has stopped (after a {@link #shutdown()} from anywhere); never starts one. */
  public CompletableFuture<Void> whenTerminated() {
    return terminated.copy();
  }

  /** {@link #shutdown()} and wait for it. */
  @Override
  public void close() {
    try {
      shutdown().get(3 * DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.error("the collector did not stop cleanly", e);
    }
  }

  private void stop() {
    try {
      edge.close();
      log.info("stopping: new requests are answered 503 shutting_down; draining {} request(s) in flight and {} "
          + "queued row(s)", edge.inFlight(), writer.depth());
      Duration drain = Duration.ofSeconds(DRAIN_TIMEOUT_SECONDS);
      if (!edge.awaitIdle(drain)) {
        log.warn("{} request(s) still in flight after {} s; stopping anyway", edge.inFlight(), DRAIN_TIMEOUT_SECONDS);
      }
      try {
        writer.shutdown().get(DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        log.error("the writer did not drain cleanly; requests not yet committed were not acknowledged", e);
      }
      // Answers to the last commits are written on IO threads: let them go out before the server stops.
      edge.awaitIdle(Duration.ofSeconds(5));
      server.stop();
      summary.close();
      String last = summary.take("since the last summary");
      if (last != null) {
        log.info(last);
      }
      if (console != null) {
        console.close();
      }
      store.close();
      metrics.close();
      log.info("stopped: everything queued was committed; {} closed", store.describe());
      terminated.complete(null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      terminated.completeExceptionally(e);
    } catch (RuntimeException e) {
      log.error("error while stopping the collector", e);
      terminated.completeExceptionally(e);
    }
  }

  @Override
  public String toString() {
    return "Collector[" + uri() + ", " + store.describe() + "]";
  }

  /**
   * Configures a {@link Collector}. Every setter checks its argument at once; {@link #start()} checks
   * the settings together.
   */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private String db = DEFAULT_DB;
    private EventStore store;
    private final List<ApplicationKey> keys = new ArrayList<>();
    private SchemaRegistry schemas;
    private Path schemaDirectory;
    private Callable<KeysAndSchemas> reloadSource;
    private UnknownTypes unknownTypes = UnknownTypes.ACCEPT;
    private AckMode ack = AckMode.DURABLE;
    private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    private long queueCapacityBytes = EventWriter.DEFAULT_CAPACITY_BYTES;
    private Duration maxFutureSkew = Duration.ofSeconds(EyeProtocol.DEFAULT_MAX_FUTURE_SKEW_SECONDS);
    private Duration signatureWindow = Duration.ofSeconds(EyeProtocol.DEFAULT_SIGNATURE_WINDOW_SECONDS);
    private int maxBodyBytes = EyeProtocol.DEFAULT_MAX_WIRE_BYTES;
    private int maxDecodedBytes = EyeProtocol.DEFAULT_MAX_DECODED_BYTES;
    private int maxEventsPerRequest = EyeProtocol.DEFAULT_MAX_EVENTS_PER_REQUEST;
    private int maxDataBytes = EyeProtocol.DEFAULT_MAX_DATA_BYTES;
    private Duration bodyTimeout = Duration.ofSeconds(DEFAULT_BODY_TIMEOUT_SECONDS);
    private Duration summaryInterval = Duration.ofSeconds(DEFAULT_SUMMARY_INTERVAL_SECONDS);
    private long maxReceivingBytes = DEFAULT_MAX_RECEIVING_BYTES;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxConcurrentParses = Math.max(2, 2 * Runtime.getRuntime().availableProcessors());
    private Clock clock = Clock.systemUTC();
    private Duration retainEvents;
    private Duration retainRejected;
    private AdminSettings admin;

    private Builder() {}

    /** Serves the admin console on a listener of its own (see {@code docs/console.md}); default none. */
    public Builder admin(AdminSettings admin) {
      this.admin = Objects.requireNonNull(admin, "admin");
      return this;
    }

    /**
     * Deletes events received longer ago than {@code window} (and the sessions left without events), in
     * small transactions in the writer's pauses; default: kept forever. SQLite only.
     */
    public Builder retainEvents(Duration window) {
      this.retainEvents = positive(window, "retainEvents");
      return this;
    }

    /**
     * How often one INFO line says what was accepted, rejected (by reason) and accepted without a schema
     * since the last line (none when nothing arrived); {@link Duration#ZERO} turns it off; default
     * {@value Collector#DEFAULT_SUMMARY_INTERVAL_SECONDS} s.
     */
    public Builder summaryInterval(Duration interval) {
      if (interval == null || interval.isNegative() || (!interval.isZero() && interval.toSeconds() < 1)) {
        throw new IllegalArgumentException("summaryInterval must be zero (off) or at least one second");
      }
      this.summaryInterval = interval;
      return this;
    }

    /** Deletes rejected rows received longer ago than {@code window}, like {@link #retainEvents}. */
    public Builder retainRejected(Duration window) {
      this.retainRejected = positive(window, "retainRejected");
      return this;
    }

    private static Duration positive(Duration window, String name) {
      Objects.requireNonNull(window, name);
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + window);
      }
      return window;
    }

    /** The listen address; default {@value Collector#DEFAULT_HOST}. */
    public Builder host(String host) {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      this.host = host;
      return this;
    }

    /** The port, 0 for any free one; default {@value Collector#DEFAULT_PORT}. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0-65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The database: a SQLite file path or a {@code jdbc:postgresql:} URL, made a store by {@link
     * EventStores#create(String)} with that store's defaults; default {@value Collector#DEFAULT_DB}.
     * Ignored when {@link #store(EventStore)} is set; for a store's own options (SQLite's
     * durability, PostgreSQL's credentials) build it and pass it there.
     */
    public Builder db(String db) {
      Objects.requireNonNull(db, "db");
      if (db.isBlank()) {
        throw new IllegalArgumentException("db must not be blank");
      }
      this.db = db;
      return this;
    }

    /** The SQLite file. */
    public Builder db(Path file) {
      return db(file.toString());
    }

    /**
     * A store, not yet opened, to use instead of one made from {@link #db(String)}, e.g. {@code new
     * SqliteEventStore(file, SqliteSync.NORMAL)}. The collector takes it over: {@link #start()} opens
     * it, and the collector closes it when it stops or fails to start.
     */
    public Builder store(EventStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Adds one key of one application (call twice with two key ids to rotate a key). */
    public Builder app(String appId, String keyId, String secret) {
      Objects.requireNonNull(secret, "secret");
      return key(new ApplicationKey(appId, keyId, secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Adds one key of one application. */
    public Builder key(ApplicationKey key) {
      Objects.requireNonNull(key, "key");
      for (ApplicationKey k : keys) {
        if (k.keyId().equals(key.keyId())) {
          throw new IllegalArgumentException("key id '" + key.keyId() + "' is configured twice");
        }
      }
      keys.add(key);
      return this;
    }

    /** The event types' schemas; default the bundled ones. */
    public Builder schemas(SchemaRegistry schemas) {
      this.schemas = Objects.requireNonNull(schemas, "schemas");
      this.schemaDirectory = null;
      return this;
    }

    /**
     * Loads the schemas of a directory now (failing here, naming the file, when one is bad); a
     * {@link Collector#reload()} without a {@link #reloadFrom reload source} loads it again.
     */
    public Builder schemas(Path directory) {
      schemas(SchemaRegistry.load(directory));
      this.schemaDirectory = directory;
      return this;
    }

    /**
     * Where {@link Collector#reload()} reads the new keys and schemas from; it throws, with a message
     * saying what is wrong, when they do not load. Default: the keys given here, and the schema
     * directory read again if {@link #schemas(Path)} named one.
     */
    public Builder reloadFrom(Callable<KeysAndSchemas> source) {
      this.reloadSource = Objects.requireNonNull(source, "source");
      return this;
    }

    /** What to do with types that have no schema; default {@code accept}. */
    public Builder unknownTypes(UnknownTypes unknownTypes) {
      this.unknownTypes = Objects.requireNonNull(unknownTypes, "unknownTypes");
      return this;
    }

    /** When to answer 202; default {@code durable}. */
    public Builder ack(AckMode ack) {
      this.ack = Objects.requireNonNull(ack, "ack");
      return this;
    }

    /**
     * Rows the queue holds before answering 503; default {@value Collector#DEFAULT_QUEUE_CAPACITY}. Any
     * positive value works: a request with more rows than the whole queue is admitted when the queue is
     * empty, and refused while anything else is queued.
     */
    public Builder queueCapacity(int queueCapacity) {
      if (queueCapacity <= 0) {
        throw new IllegalArgumentException("queueCapacity must be positive");
      }
      this.queueCapacity = queueCapacity;
      return this;
    }

    /**
     * The queue's estimated size in memory before answering 503, in bytes; default {@value
     * EventWriter#DEFAULT_CAPACITY_BYTES} (64 MiB). Bounds the heap the queue can take when payloads
     * are large; with small ones {@link #queueCapacity(int)} is reached first.
     */
    public Builder queueCapacityBytes(long queueCapacityBytes) {
      if (queueCapacityBytes <= 0) {
        throw new IllegalArgumentException("queueCapacityBytes must be positive");
      }
      this.queueCapacityBytes = queueCapacityBytes;
      return this;
    }

    /** How far ahead of the collector's clock a timestamp may be; default 300 s. */
    public Builder maxFutureSkew(Duration maxFutureSkew) {
      Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
      if (maxFutureSkew.isNegative()) {
        throw new IllegalArgumentException("maxFutureSkew must not be negative");
      }
      this.maxFutureSkew = maxFutureSkew;
      return this;
    }

    /** How far a signature's {@code t} may be from the collector's clock; default 300 s. */
    public Builder signatureWindow(Duration signatureWindow) {
      Objects.requireNonNull(signatureWindow, "signatureWindow");
      if (signatureWindow.isNegative() || signatureWindow.isZero()) {
        throw new IllegalArgumentException("signatureWindow must be positive");
      }
      this.signatureWindow = signatureWindow;
      return this;
    }

    /** The largest request body on the wire; default 1 MiB. */
    public Builder maxBodyBytes(int maxBodyBytes) {
      if (maxBodyBytes <= 0) {
        throw new IllegalArgumentException("maxBodyBytes must be positive");
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /**
     * How long a request body may take to arrive, from its headers to its last byte (and how long the
     * headers may take); a slower connection is closed; default {@value Collector#DEFAULT_BODY_TIMEOUT_SECONDS} s.
     */
    public Builder bodyTimeout(Duration bodyTimeout) {
      Objects.requireNonNull(bodyTimeout, "bodyTimeout");
      if (bodyTimeout.isNegative() || bodyTimeout.isZero() || bodyTimeout.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("bodyTimeout must be positive, was " + bodyTimeout);
      }
      this.bodyTimeout = bodyTimeout;
      return this;
    }

    /**
     * The bytes all request bodies being received may hold at once; past it a body is answered 503
     * {@code overloaded}; default {@value Collector#DEFAULT_MAX_RECEIVING_BYTES}.
     */
    public Builder maxReceivingBytes(long maxReceivingBytes) {
      if (maxReceivingBytes <= 0) {
        throw new IllegalArgumentException("maxReceivingBytes must be positive");
      }
      this.maxReceivingBytes = maxReceivingBytes;
      return this;
    }

    /** The most open connections; past it new ones wait to be accepted; default {@value Collector#DEFAULT_MAX_CONNECTIONS}. */
    public Builder maxConnections(int maxConnections) {
      if (maxConnections <= 0) {
        throw new IllegalArgumentException("maxConnections must be positive");
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /** How many bodies are decompressed and parsed at once; default twice the processors, at least 2. */
    public Builder maxConcurrentParses(int maxConcurrentParses) {
      if (maxConcurrentParses <= 0) {
        throw new IllegalArgumentException("maxConcurrentParses must be positive");
      }
      this.maxConcurrentParses = maxConcurrentParses;
      return this;
    }

    /** The largest request body after gzip decompression; default 4 MiB. */
    public Builder maxDecodedBytes(int maxDecodedBytes) {
      if (maxDecodedBytes <= 0) {
        throw new IllegalArgumentException("maxDecodedBytes must be positive");
      }
      this.maxDecodedBytes = maxDecodedBytes;
      return this;
    }

    /** The most events in one request; default 1000. */
    public Builder maxEventsPerRequest(int maxEventsPerRequest) {
      if (maxEventsPerRequest <= 0) {
        throw new IllegalArgumentException("maxEventsPerRequest must be positive");
      }
      this.maxEventsPerRequest = maxEventsPerRequest;
      return this;
    }

    /** The largest serialized {@code data} of one event; default 32 KiB. */
    public Builder maxDataBytes(int maxDataBytes) {
      if (maxDataBytes <= 0) {
        throw new IllegalArgumentException("maxDataBytes must be positive");
      }
      this.maxDataBytes = maxDataBytes;
      return this;
    }

    /** The collector's clock (receipt times, the signature window, future timestamps). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Checks the settings together, opens the database, starts the writer and the server.
     *
     * @throws IllegalStateException when the settings do not fit together
     * @throws StorageException when the database cannot be opened
     * @throws UncheckedIOException when the port cannot be bound; the database is not opened then
     */
    public Collector start() throws StorageException {
      if (store == null) {
        store = EventStores.create(db);
      }
      try {
        check();
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
      return new Collector(this);
    }

    private void check() {
      if (keys.isEmpty()) {
        throw new IllegalStateException("at least one application key is required");
      }
      if (maxDecodedBytes < maxBodyBytes) {
        throw new IllegalStateException("maxDecodedBytes (" + maxDecodedBytes
            + ") must be at least maxBodyBytes (" + maxBodyBytes + ")");
      }
      // A full-size request's estimate: its decoded text (at most one stored character per byte, plus
      // a rejected row's raw copy) and the per-row overhead.
      long largestRequest = 2L * maxDecodedBytes + (long) maxEventsPerRequest * 160;
      if (queueCapacityBytes < largestRequest) {
        throw new IllegalStateException("queueCapacityBytes (" + queueCapacityBytes + ") must be at least "
            + largestRequest + " (twice maxDecodedBytes plus 160 per event), or a full-size request could"
            + " never be queued");
      }
      if (schemas == null) {
        schemas = SchemaRegistry.bundled();
      }
      if ((retainEvents != null || retainRejected != null) && !store.supportsRetention()) {
        throw new IllegalStateException("retention (--retain-events, --retain-rejected) needs a SQLite database;"
            + " with PostgreSQL, delete or detach old partitions instead (docs/postgres.md)");
      }
    }
  }
}
