package io.theeye.collector;

import static io.theeye.collector.TestSender.batch;
import static io.theeye.collector.TestSender.event;
import static io.theeye.collector.TestSender.pageview;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.theeye.collector.TestSender.Answer;
import io.theeye.collector.schema.SchemaRegistry;
import io.theeye.testsupport.ChildProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** Live reload of keys and schemas: a real collector, real HTTP, a config file and a schema directory. */
@Timeout(120)
class ReloadTest extends CollectorTestSupport {

  private static final String TS = "2021-01-01 09:15:27.243860";
  private static final String SECRET_2 = "second-secret-abcdefabcdef0123";
  private static final String PAGEVIEW_SCHEMA = """
      {"x-eye-event": {"category": "page interaction", "name": "pageview"},
       "type": "object", "required": ["host", "path"]}""";

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private CollectorMain main;
  private Path config;
  private Path schemas;

  @BeforeEach
  void captureLog() throws Exception {
    log.start();
    ((Logger) LoggerFactory.getLogger(Collector.class)).addAppender(log);
    config = tempDir.resolve("collector.properties");
    schemas = Files.createDirectory(tempDir.resolve("schemas"));
    Files.writeString(schemas.resolve("pageview.json"), PAGEVIEW_SCHEMA);
  }

  @AfterEach
  void stopMain() {
    ((Logger) LoggerFactory.getLogger(Collector.class)).detachAppender(log);
    if (main != null && main.collector() != null) {
      main.collector().close();
    }
  }

  private void writeConfig(String... keys) throws Exception {
    StringBuilder text = new StringBuilder("db = " + db() + "\nport = 0\nschemas = " + schemas + "\n");
    for (int i = 0; i < keys.length; i++) {
      text.append("app.k").append(i).append(" = ").append(keys[i]).append('\n');
    }
    Files.writeString(config, text.toString());
  }

  private Collector startMain() {
    main = new CollectorMain(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    String[] args = {"--config", config.toString()};
    assertThat(main.commandLine(args).execute(args)).as(out.toString(StandardCharsets.UTF_8)).isZero();
    return main.collector();
  }

  private List<String> errors() {
    return log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
        .map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
  }

  @Test
  void aKeyAddedByReloadWorksAtOnceAndItsApplicationIsRecorded() throws Exception {
    writeConfig(APP + ":" + KEY + ":" + SECRET);
    Collector c = startMain();
    TestSender sender = new TestSender(c);
    assertThat(sender.post("blog-key-1", SECRET_2, pageview("b-0", "s", TS)).status()).isEqualTo(401);

    writeConfig(APP + ":" + KEY + ":" + SECRET, "blog:blog-key-1:" + SECRET_2);
    assertThat(c.reload()).isTrue();

    assertThat(sender.post("blog-key-1", SECRET_2, pageview("b-1", "s", TS)).status()).isEqualTo(202);
    assertThat(sender.post(KEY, SECRET, pageview("s-1", "s", TS)).status()).isEqualTo(202);
    assertThat(rows("SELECT app_id FROM applications ORDER BY app_id")).extracting(r -> r.get("app_id"))
        .containsExactly("blog", "shop");
    assertThat(sender.get("/metrics").body())
        .contains("eye_requests_authenticated_total{app_id=\"blog\",key_id=\"blog-key-1\"} 1.0")
        .contains("eye_events_rejected_total{app_id=\"blog\",reason=\"schema_violation\"} 0.0")
        .contains("eye_config_reloads_total{result=\"ok\"} 1.0");
    assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
        .contains("reloaded: 2 key(s) of 2 application(s) (added: blog; removed: none), 1 schema(s) from " + schemas);
  }

  @Test
  void aRemovedKeyIsRefusedAfterTheReloadWhileItsRequestInFlightCompletes() throws Exception {
    writeConfig(APP + ":" + KEY + ":" + SECRET, APP + ":shop-key-2:" + SECRET_2);
    Collector c = startMain();
    TestSender sender = new TestSender(c);
    CompletableFuture<Answer> inFlight;
    try (AutoCloseable held = holdWrites()) {
      inFlight = CompletableFuture.supplyAsync(() -> sender.post("shop-key-2", SECRET_2, pageview("old-1", "s", TS)));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> sender.get("/ready").json().path("queue_depth").asInt() == 1);
      writeConfig(APP + ":" + KEY + ":" + SECRET);
      assertThat(c.reload()).isTrue();
    }
    assertThat(inFlight.get(20, TimeUnit.SECONDS).status()).isEqualTo(202);
    assertThat(sender.post("shop-key-2", SECRET_2, pageview("old-2", "s", TS)).status()).isEqualTo(401);
    assertThat(sender.post(KEY, SECRET, pageview("new-1", "s", TS)).status()).isEqualTo(202);
    assertThat(rows("SELECT event_id FROM events ORDER BY id")).extracting(r -> r.get("event_id"))
        .containsExactly("old-1", "new-1");
    assertThat(c.keys()).extracting(ApplicationKey::keyId).containsExactly(KEY);
  }

  @Test
  void aBadSchemaSetIsRefusedWholeTheOldOneServesAndTheFailureIsCounted() throws Exception {
    writeConfig(APP + ":" + KEY + ":" + SECRET);
    Collector c = startMain();
    TestSender sender = new TestSender(c);
    String missingHost = event("bad-1", "s", "page interaction", "pageview", TS, null, "{\"path\":\"/\"}");

    Files.writeString(schemas.resolve("broken.json"), "{\"x-eye-event\": {\"category\": \"form interaction\",");
    assertThat(c.reload()).isFalse();
    assertThat(errors()).singleElement().asString()
        .startsWith("reload refused, still serving the previous keys and schemas: ")
        .contains("broken.json");

    Files.writeString(schemas.resolve("broken.json"), PAGEVIEW_SCHEMA.replace("\"host\", ", ""));
    assertThat(c.reload()).isFalse();
    assertThat(errors()).hasSize(2);
    assertThat(errors().get(1)).contains("pageview");

    // Still the old set: the pageview schema requires host.
    assertThat(sender.post(KEY, SECRET, batch(missingHost, pageview("good-1", "s", TS))).json()
        .path("rejected").asInt()).isEqualTo(1);
    assertThat(c.schemas().size()).isEqualTo(1);
    assertThat(sender.get("/metrics").body())
        .contains("eye_config_reloads_total{result=\"failed\"} 2.0")
        .contains("eye_config_reloads_total{result=\"ok\"} 0.0");
  }

  @Test
  void aMalformedKeyIsRefusedWholeWithoutItsSecret() throws Exception {
    writeConfig(APP + ":" + KEY + ":" + SECRET);
    Collector c = startMain();
    writeConfig(APP + ":" + KEY + ":" + SECRET, "blog:blog-key-1:" + SECRET_2, "blog::" + SECRET_2);
    assertThat(c.reload()).isFalse();
    assertThat(errors()).singleElement().asString()
        .isEqualTo("reload refused, still serving the previous keys and schemas: config file " + config
            + ", key app.k2: an application key must be APP_ID:KEY_ID:SECRET with all three parts non-empty")
        .doesNotContain(SECRET_2);
    assertThat(new TestSender(c).post("blog-key-1", SECRET_2, pageview("b", "s", TS)).status()).isEqualTo(401);
  }

  @Test
  void theConsolesApplicationsPageShowsAKeyAddedByReloadAndKeepsTheRowOfAKeyItRemoved() throws Exception {
    Collector c = start(b -> b.schemas(schemas).admin(io.theeye.collector.console.AdminSettings.loopback(0)));
    List<ApplicationKey> keys = List.of(new ApplicationKey(APP, KEY, SECRET.getBytes(StandardCharsets.UTF_8)),
        new ApplicationKey("blog", "blog-key-1", SECRET_2.getBytes(StandardCharsets.UTF_8)));
    assertThat(c.reload(new KeysAndSchemas(keys, SchemaRegistry.load(schemas)))).isTrue();
    assertThat(new TestSender(c).post("blog-key-1", SECRET_2, pageview("b-1", "s", TS)).status()).isEqualTo(202);
    assertThat(c.reload(new KeysAndSchemas(keys.subList(0, 1), SchemaRegistry.load(schemas)))).isTrue();

    java.net.http.HttpResponse<String> page = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(c.adminUri().resolve("/api/applications")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    com.fasterxml.jackson.databind.JsonNode apps = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(page.body()).path("applications");
    com.fasterxml.jackson.databind.JsonNode blog = null;
    for (com.fasterxml.jackson.databind.JsonNode app : apps) {
      if (app.path("app_id").asText().equals("blog")) {
        blog = app;
      }
    }
    assertThat(blog).as(page.body()).isNotNull();
    assertThat(blog.path("keys").get(0).path("key_id").asText()).isEqualTo("blog-key-1");
    assertThat(blog.path("keys").get(0).path("requests_by_status").path("202").asLong()).isEqualTo(1);
    assertThat(blog.path("keys").get(0).path("last_request_at").isNull()).isFalse();
  }

  @Test
  void eightSendersDuringTwentyReloadsLoseNothingAndGetOnly202() throws Exception {
    Collector c = start(b -> b.schemas(schemas));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicBoolean reloading = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> other = new ConcurrentLinkedQueue<>();
    List<Future<?>> senders = new ArrayList<>();
    try {
      for (int t = 0; t < 8; t++) {
        int thread = t;
        senders.add(pool.submit(() -> {
          TestSender sender = new TestSender(c);
          for (int r = 0; reloading.get() || r < 5; r++) {
            String a = "t" + thread + "-r" + r + "-a";
            String b = "t" + thread + "-r" + r + "-b";
            Answer answer = sender.post(KEY, SECRET, batch(pageview(a, "s-" + thread, TS), pageview(b, "s-" + thread, TS)));
            if (answer.status() == 202 && answer.json().path("accepted").asInt() == 2) {
              acknowledged.add(a);
              acknowledged.add(b);
            } else {
              other.add(answer.toString());
            }
          }
        }));
      }
      List<ApplicationKey> base = List.of(new ApplicationKey(APP, KEY, SECRET.getBytes(StandardCharsets.UTF_8)));
      for (int i = 0; i < 20; i++) {
        List<ApplicationKey> keys = new ArrayList<>(base);
        keys.add(new ApplicationKey("app-" + i, "key-" + i, SECRET_2.getBytes(StandardCharsets.UTF_8)));
        assertThat(c.reload(new KeysAndSchemas(keys, SchemaRegistry.load(schemas)))).isTrue();
        assertThat(c.reload()).isTrue();
      }
    } finally {
      reloading.set(false);
      for (Future<?> f : senders) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
    }
    assertThat(other).isEmpty();
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(8 * 5 * 2);
    assertThat(rows("SELECT event_id FROM events")).extracting(r -> (String) r.get("event_id"))
        .containsExactlyInAnyOrderElementsOf(acknowledged);
    assertThat(new TestSender(c).get("/metrics").body()).contains("eye_config_reloads_total{result=\"ok\"} 40.0");
  }

  @Test
  void sighupReloadsTheConfigFileOfARunningCollector() throws Exception {
    writeConfig(APP + ":" + KEY + ":" + SECRET);
    try (ChildProcess child = ChildProcess.javaMain(tempDir, List.of("-Xmx128m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1"), CollectorMain.class, "--config", config.toString())) {
      String line = child.awaitLine(CollectorMain.LISTENING_PREFIX);
      TestSender sender = new TestSender(URI.create(line.substring(CollectorMain.LISTENING_PREFIX.length()).trim()));
      assertThat(sender.post("blog-key-1", SECRET_2, pageview("b-0", "s", TS)).status()).isEqualTo(401);

      writeConfig(APP + ":" + KEY + ":" + SECRET, "blog:blog-key-1:" + SECRET_2);
      Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(child.process().pid())).start();
      assertThat(kill.waitFor()).isZero();

      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .until(() -> sender.post("blog-key-1", SECRET_2, pageview("b-1", "s", TS)).status() == 202);
      assertThat(child.process().isAlive()).isTrue();
      assertThat(sender.get("/metrics").body()).contains("eye_config_reloads_total{result=\"ok\"} 1.0");
      child.process().destroy();
      assertThat(child.awaitExit(60)).isZero();
      assertThat(child.output()).contains("reloaded: 2 key(s) of 2 application(s) (added: blog; removed: none)")
          .doesNotContain(SECRET_2);
    }
  }
}
