package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.collector.storage.sqlite.SqliteSync;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line: flags, the config file, the environment, startup output, startup failures. */
@Timeout(60)
class CollectorMainTest {

  private static final String SECRET = "cli-secret-never-printed-42";

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private CollectorMain main;

  private CollectorMain main(Map<String, String> env) {
    main = new CollectorMain(env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return main;
  }

  private int run(Map<String, String> env, String... args) {
    return main(env).commandLine(args).execute(args);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @AfterEach
  void stop() {
    if (main != null && main.collector() != null) {
      main.collector().close();
    }
  }

  @Test
  void printsTheListeningLineWithTheRealPortAndNoConfiguredSecret() {
    int code = run(Map.of(), "--port", "0", "--db", dir.resolve("eye.db").toString(),
        "--app", "shop:shop-key-1:" + SECRET, "--app", "shop:shop-key-2:" + SECRET + "-2");
    assertThat(code).as(stderr()).isZero();
    Matcher m = Pattern.compile("(?m)^listening on http://127\\.0\\.0\\.1:(\\d+)$").matcher(stdout());
    assertThat(m.find()).as(stdout()).isTrue();
    assertThat(Integer.parseInt(m.group(1))).isEqualTo(main.collector().port()).isNotZero();
    assertThat(stdout())
        .contains("database: SQLite " + dir.resolve("eye.db"))
        .contains("application shop: key ids shop-key-1, shop-key-2")
        .contains("schemas: 3 from bundled defaults")
        .contains("ack: durable")
        .doesNotContain(SECRET)
        .doesNotContain("DEVELOPMENT DEFAULT");
    assertThat(stdout().strip()).endsWith("listening on http://127.0.0.1:" + m.group(1));
  }

  private static final Pattern DEMO_KEY = Pattern.compile("app id: (\\S+)\\s+key id: (\\S+)\\s+secret: ([0-9a-f]{32})");

  /** The demo keys printed at startup, as {@code APP_ID:KEY_ID:SECRET}, in order. */
  private List<String> printedDemoKeys() {
    List<String> keys = new ArrayList<>();
    Matcher m = DEMO_KEY.matcher(stdout());
    while (m.find()) {
      keys.add(m.group(1) + ":" + m.group(2) + ":" + m.group(3));
    }
    return keys;
  }

  @Test
  void withoutApplicationsAShopAndABlogKeyArePrintedAndWork() {
    int code = run(Map.of(), "--port", "0", "--db", dir.resolve("eye.db").toString());
    assertThat(code).as(stderr()).isZero();
    assertThat(stdout()).contains("DEVELOPMENT DEFAULT", "application blog: key id blog-key",
        "application shop: key id shop-key");
    List<String> keys = printedDemoKeys();
    assertThat(keys).extracting(k -> k.substring(0, k.lastIndexOf(':')))
        .containsExactly("shop:shop-key", "blog:blog-key");
    for (String key : keys) {
      String[] parts = key.split(":");
      TestSender.Answer a = new TestSender(main.collector()).post(parts[1], parts[2],
          TestSender.pageview("demo-" + parts[0], "s-1", "2021-01-01 09:15:27"));
      assertThat(a.status()).as(a.toString()).isEqualTo(202);
    }
    assertThat(keys.get(0)).as("each application has its own secret")
        .doesNotEndWith(keys.get(1).substring(keys.get(1).lastIndexOf(':')));
  }

  @Test
  void theDevelopmentKeysAreKeptBesideTheDatabaseAndSurviveARestart() throws Exception {
    String db = dir.resolve("eye.db").toString();
    assertThat(run(Map.of(), "--port", "0", "--db", db)).as(stderr()).isZero();
    List<String> first = printedDemoKeys();
    assertThat(first).hasSize(2);
    Path kept = Path.of(db + CollectorMain.DEV_KEYS_SUFFIX);
    assertThat(stdout()).contains("The keys are kept in " + kept, "the demo app reads them from there");
    assertThat(Files.getPosixFilePermissions(kept)).containsExactlyInAnyOrder(
        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    assertThat(Files.readAllLines(kept)).as("the form --app takes, one per line").isEqualTo(first);
    main.collector().close();

    out.reset();
    assertThat(run(Map.of(), "--port", "0", "--db", db)).as(stderr()).isZero();
    List<String> second = printedDemoKeys();
    assertThat(second).as("the secrets pasted before the restart still work").isEqualTo(first);
    String[] shop = second.get(0).split(":");
    TestSender.Answer a = new TestSender(main.collector()).post(shop[1], shop[2],
        TestSender.pageview("demo-1", "s-1", "2021-01-01 09:15:27"));
    assertThat(a.status()).as(a.toString()).isEqualTo(202);
    main.collector().close();

    out.reset();
    Files.delete(kept);
    assertThat(run(Map.of(), "--port", "0", "--db", db)).as(stderr()).isZero();
    assertThat(printedDemoKeys()).as("deleting the file gives new secrets").hasSize(2).doesNotContainAnyElementsOf(first);
  }

  @Test
  void anUnreadableOrOlderKeysFileIsReplacedWithNewKeysAndSaysSo() throws Exception {
    String db = dir.resolve("eye.db").toString();
    Path kept = Path.of(db + CollectorMain.DEV_KEYS_SUFFIX);
    // An earlier version kept one secret for one "demo-key".
    Files.writeString(kept, "3f0c6a1e9b2d4c58a7e1f0b2c3d4e5f6\n");
    assertThat(run(Map.of(), "--port", "0", "--db", db)).as(stderr()).isZero();
    assertThat(stderr()).contains("ignoring " + kept, "using new ones");
    assertThat(Files.readAllLines(kept)).isEqualTo(printedDemoKeys()).hasSize(2);
  }

  @Test
  void configuredApplicationsNeitherReadNorWriteTheDevelopmentSecret() {
    String db = dir.resolve("eye.db").toString();
    assertThat(run(Map.of(), "--port", "0", "--db", db, "--app", "shop:shop-key-1:" + SECRET)).isZero();
    assertThat(Path.of(db + CollectorMain.DEV_KEYS_SUFFIX)).doesNotExist();
  }

  @Test
  void configFileSetsEveryOptionAndFlagsAndEnvironmentWin() throws Exception {
    Path config = dir.resolve("collector.properties");
    Files.writeString(config, String.join("\n",
        "host = 127.0.0.1",
        "port = 1234",
        "db = " + dir.resolve("from-file.db").toString().replace("\\", "\\\\"),
        "ack = queued",
        "unknown-types = reject",
        "sync = normal",
        "queue-capacity = 777",
        "max-future-skew = 11",
        "signature-window = 22",
        "max-body-bytes = 5000",
        "max-decoded-bytes = 6000",
        "max-events-per-request = 7",
        "max-data-bytes = 800",
        "app.one = shop:k1:file-secret-1",
        "app.two = blog:k2:file-secret-2"));
    CollectorMain m = main(Map.of("EYE_QUEUE_CAPACITY", "888", "EYE_APP_X", "shop:k1:env-secret-1"));
    String[] args = {"--config", config.toString(), "--port", "0", "--app", "blog:k2:flag-secret-2"};
    m.commandLine(args).parseArgs(args);
    assertThat(m.port).as("flag over file").isZero();
    assertThat(m.queueCapacity).as("environment over file").isEqualTo(888);
    assertThat(m.ack).isEqualTo(AckMode.QUEUED);
    assertThat(m.unknownTypes).isEqualTo(UnknownTypes.REJECT);
    assertThat(m.sync).isEqualTo(SqliteSync.NORMAL);
    assertThat(m.db).endsWith("from-file.db");
    assertThat(m.maxFutureSkewSeconds).isEqualTo(11);
    assertThat(m.signatureWindowSeconds).isEqualTo(22);
    assertThat(m.maxBodyBytes).isEqualTo(5000);
    assertThat(m.maxDecodedBytes).isEqualTo(6000);
    assertThat(m.maxEventsPerRequest).isEqualTo(7);
    assertThat(m.maxDataBytes).isEqualTo(800);
    List<ApplicationKey> keys = m.applicationKeys();
    assertThat(keys).extracting(ApplicationKey::keyId).containsExactly("k1", "k2");
    assertThat(new String(keys.get(0).secret(), StandardCharsets.UTF_8)).as("environment over file").isEqualTo("env-secret-1");
    assertThat(new String(keys.get(1).secret(), StandardCharsets.UTF_8)).as("flag over file").isEqualTo("flag-secret-2");
  }

  @Test
  void configFileFromTheEnvironmentIsRead() throws Exception {
    Path config = dir.resolve("c.properties");
    Files.writeString(config, "queue-capacity=4321\n");
    CollectorMain m = main(Map.of("EYE_CONFIG", config.toString()));
    String[] args = {};
    m.commandLine(args).parseArgs(args);
    assertThat(m.queueCapacity).isEqualTo(4321);
  }

  @Test
  void unknownConfigKeyFailsNamingIt() throws Exception {
    Path config = dir.resolve("c.properties");
    Files.writeString(config, "queue-capacty=10\n");
    String[] args = {"--config", config.toString()};
    try {
      main(Map.of()).commandLine(args);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).contains("queue-capacty").contains("queue-capacity");
      return;
    }
    throw new AssertionError("an unknown key must fail");
  }

  @Test
  void malformedApplicationKeyFailsWithoutEchoingTheSecret() {
    int code = run(Map.of(), "--port", "0", "--db", dir.resolve("eye.db").toString(), "--app", "shop:" + SECRET);
    assertThat(code).isEqualTo(2);
    assertThat(stderr()).contains("--app #1").contains("APP_ID:KEY_ID:SECRET").doesNotContain(SECRET);
    assertThat(stdout()).doesNotContain(SECRET);
  }

  @Test
  void duplicateSchemaFilesFailStartupNamingTheFile() throws Exception {
    Path schemas = Files.createDirectories(dir.resolve("schemas"));
    String schema = "{\"x-eye-event\":{\"category\":\"c\",\"name\":\"n\"},\"type\":\"object\"}";
    Files.writeString(schemas.resolve("a.json"), schema);
    Files.writeString(schemas.resolve("b.json"), schema);
    int code = run(Map.of(), "--port", "0", "--db", dir.resolve("eye.db").toString(), "--schemas", schemas.toString());
    assertThat(code).isEqualTo(2);
    assertThat(stderr()).contains(schemas.resolve("b.json").toString()).contains("c/n").contains("a.json");
    assertThat(stdout()).doesNotContain("listening on");
  }

  @Test
  void schemaThatDoesNotCompileFailsStartupNamingTheFile() throws Exception {
    Path schemas = Files.createDirectories(dir.resolve("schemas"));
    Files.writeString(schemas.resolve("broken.json"), "{\"x-eye-event\":{\"category\":\"c\",\"name\":\"n\"},\"type\":12}");
    int code = run(Map.of(), "--port", "0", "--db", dir.resolve("eye.db").toString(), "--schemas", schemas.toString());
    assertThat(code).isEqualTo(2);
    assertThat(stderr()).contains(schemas.resolve("broken.json").toString()).contains("/type");
  }

  @Test
  void schemasDirectoryReplacesTheBundledOnes() throws Exception {
    Path schemas = Files.createDirectories(dir.resolve("schemas"));
    Files.writeString(schemas.resolve("play.json"), """
        {"x-eye-event": {"category": "video", "name": "play"}, "type": "object", "required": ["video_id"]}""");
    int code = run(Map.of(), "--port", "0", "--db", dir.resolve("eye.db").toString(), "--schemas", schemas.toString(),
        "--app", "shop:k:" + SECRET);
    assertThat(code).as(stderr()).isZero();
    assertThat(stdout()).contains("schemas: 1 from " + schemas + ": video/play");
    TestSender.Answer a = new TestSender(main.collector()).post("k", SECRET,
        TestSender.event("v-1", "s", "video", "play", "2021-01-01 09:15:27", null, "{}"));
    assertThat(a.json().path("rejected").asInt()).isEqualTo(1);
  }

  @Test
  void portInUseFailsTheStart() throws Exception {
    try (Collector first = Collector.builder().port(0).db(dir.resolve("first.db").toString()).app("a", "k", SECRET).start()) {
      int code = run(Map.of(), "--port", Integer.toString(first.port()), "--db", dir.resolve("eye.db").toString(),
          "--app", "shop:k:" + SECRET);
      assertThat(code).isEqualTo(1);
      assertThat(stderr()).contains("cannot listen on 127.0.0.1:" + first.port() + ": address already in use");
      assertThat(stdout()).doesNotContain("listening on");
    }
    // The port is bound before the database is created.
    assertThat(dir.resolve("eye.db")).doesNotExist();
  }

  @Test
  void queueByteBoundTooSmallForAFullSizeRequestFailsTheStart() {
    int code = run(Map.of(), "--port", "0", "--db", dir.resolve("eye.db").toString(), "--app", "shop:k:" + SECRET,
        "--queue-capacity-bytes", "1000000");
    assertThat(code).isEqualTo(2);
    assertThat(stderr()).contains("queueCapacityBytes (1000000) must be at least");
    assertThat(stdout()).doesNotContain("listening on");
  }

  @Test
  void invalidOptionValueIsAUsageError() {
    int code = run(Map.of(), "--ack", "sometimes");
    assertThat(code).isEqualTo(2);
    assertThat(stderr()).contains("--ack");
  }
}
