package io.theeye.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.client.EyeClient;
import io.theeye.collector.Collector;
import io.theeye.examples.DocBlocks.Block;
import io.theeye.testsupport.ChildProcess;
import io.theeye.testsupport.Requirements;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every code block of README.md, docs/client.md and docs/protocol.md says, in the
 * {@code <!-- block: ... -->} line above it, which test runs it or why none does; this test holds the
 * pages to that and runs the blocks that no other test runs: the client fragments (compiled and run
 * against a real collector), the Maven coordinates, the OpenSSL signature vectors and the README's
 * production collector command.
 */
@Timeout(180)
class DocBlocksIT {

  private static final Path ROOT = NewcomerPathIT.MODULE.getParent();
  private static final Path README = ROOT.resolve("README.md");
  private static final Path CLIENT_DOC = ROOT.resolve("docs/client.md");
  private static final Path PROTOCOL_DOC = ROOT.resolve("docs/protocol.md");
  private static final List<Path> PAGES = List.of(README, CLIENT_DOC, PROTOCOL_DOC);
  private static final String SELF = DocBlocksIT.class.getSimpleName();

  @TempDir
  Path work;

  @Test
  void everyBlockNamesTheTestThatRunsItOrSaysWhyNoneDoes() throws Exception {
    List<String> problems = new ArrayList<>();
    for (Path page : PAGES) {
      for (Block block : DocBlocks.of(page)) {
        String marker = block.marker();
        if (marker == null) {
          problems.add(block + ": no <!-- block: run by TEST --> or <!-- block: not run: WHY --> line above it");
        } else if (marker.startsWith("not run: ")) {
          if (marker.substring("not run: ".length()).split("\\s+").length < 3) {
            problems.add(block + ": 'not run' must say why");
          }
        } else if (block.runBy("CI")) {
          String ci = Files.readString(ROOT.resolve(".ci/run"), StandardCharsets.UTF_8);
          if (!ci.contains(block.text().strip())) {
            problems.add(block + ": .ci/run does not run " + block.text().strip());
          }
        } else {
          Matcher test = Pattern.compile("run by (\\w+IT)\\b.*").matcher(marker);
          Path source = test.matches()
              ? NewcomerPathIT.MODULE.resolve("src/test/java/io/theeye/examples/" + test.group(1) + ".java") : null;
          if (source == null || !Files.isRegularFile(source)) {
            problems.add(block + ": '" + marker + "' names no test of this module");
          } else if (!Files.readString(source).contains(page.getFileName().toString())) {
            problems.add(block + ": " + test.group(1) + " does not read " + page.getFileName());
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  /**
   * docs/client.md's fragments, each compiled as the body of a method in which the names a fragment
   * uses without declaring them ({@code eye}, {@code sessionId}, {@code occurredAt}, {@code log},
   * {@code endpoint}, {@code keyId}, {@code secret}) are fields, then run against a real collector. A
   * fragment that builds a client of its own gets this collector's endpoint and a temporary outbox
   * directory in place of the page's example ones, and closes its client at its end.
   */
  @Test
  void theClientFragmentsCompileAndRunAgainstACollector() throws Exception {
    List<Block> fragments = DocBlocks.runBy(CLIENT_DOC, SELF).stream().filter(b -> b.lang().equals("java")).toList();
    assertThat(fragments).as("tracking, counters, listener, shutdown hook, overflow, outbox").hasSize(6);
    StringBuilder source = new StringBuilder("import io.theeye.client.*;\nimport java.time.*;\nimport java.util.*;\n"
        + "import java.nio.file.*;\n"
        + "public class ClientDocFragments {\n"
        + "  public static EyeClient eye;\n  public static String endpoint, keyId, secret;\n"
        + "  public static Path outboxDir;\n"
        + "  public static String sessionId = \"doc-session\";\n"
        + "  public static Instant occurredAt = Instant.parse(\"2021-01-01T09:15:27.243860Z\");\n"
        + "  public static org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(\"client.md\");\n");
    for (int i = 0; i < fragments.size(); i++) {
      source.append("  // ").append(fragments.get(i)).append("\n  public static void block").append(i)
          .append("() throws Exception {\n").append(ownClient(fragments.get(i).text())).append("  }\n");
    }
    source.append("}\n");
    Path classes = Javac.compile(work, "ClientDocFragments", source.toString());

    byte[] secret = "client-doc-secret".getBytes(StandardCharsets.UTF_8);
    try (Collector collector = Collector.builder().port(0).db(work.resolve("eye.db"))
        .app("shop", "shop-key", "client-doc-secret").start();
        URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      EyeClient eye = EyeClient.builder().endpoint(collector.uri().toString()).keyId("shop-key").secret(secret).build();
      Class<?> fragmentClass = loader.loadClass("ClientDocFragments");
      fragmentClass.getField("eye").set(null, eye);
      fragmentClass.getField("endpoint").set(null, collector.uri().toString());
      fragmentClass.getField("keyId").set(null, "shop-key");
      fragmentClass.getField("secret").set(null, "client-doc-secret");
      fragmentClass.getField("outboxDir").set(null, work.resolve("eye-outbox"));
      for (int i = 0; i < fragments.size(); i++) {
        Method block = fragmentClass.getMethod("block" + i);
        block.invoke(null);
      }
      // The outbox fragment built its client on the directory it was given (and made it).
      assertThat(work.resolve("eye-outbox")).isDirectory();
      eye.flush().get(30, TimeUnit.SECONDS);
      assertThat(eye.close(Duration.ofSeconds(10))).as("undelivered").isZero();

      // The EyeEvent fragment's form submit, stored once under its own event id and timestamp.
      try (Connection db = DriverManager.getConnection("jdbc:sqlite:file:" + work.resolve("eye.db") + "?mode=ro");
          ResultSet rows = db.createStatement().executeQuery("SELECT event_id, session_id, category, name, "
              + "occurred_at, json_extract(data, '$.form.first_name') FROM events")) {
        assertThat(rows.next()).isTrue();
        assertThat(List.of(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
            rows.getString(5), rows.getString(6))).containsExactly("order-42-submitted", "doc-session",
            "form interaction", "submit", "2021-01-01 09:15:27.243860", "John");
        assertThat(rows.next()).isFalse();
      }
    }
  }

  private static final java.util.regex.Pattern OWN_CLIENT =
      java.util.regex.Pattern.compile("EyeClient (\\w+) = EyeClient\\.builder\\(\\)");

  /** A fragment that builds its own client: this collector's endpoint, a temporary outbox, closed at its end. */
  private static String ownClient(String fragment) {
    java.util.regex.Matcher m = OWN_CLIENT.matcher(fragment);
    if (!m.find()) {
      return fragment;
    }
    return fragment.replace("\"http://127.0.0.1:8080\"", "endpoint").replace("\"https://eye.example.com\"", "endpoint")
        .replace("Path.of(\"/var/lib/shop/eye-outbox\")", "outboxDir")
        + "    " + m.group(1) + ".close();\n";
  }

  @Test
  void theDependencyBlockHasEyeClientsCoordinates() throws Exception {
    Block xml = DocBlocks.runBy(CLIENT_DOC, SELF).stream().filter(b -> b.lang().equals("xml")).findFirst().orElseThrow();
    String pom = Files.readString(ROOT.resolve("eye-client/pom.xml"), StandardCharsets.UTF_8);
    String parent = pom.substring(pom.indexOf("<parent>"), pom.indexOf("</parent>"));
    String own = pom.substring(pom.indexOf("</parent>"));
    assertThat(element(xml.text(), "groupId")).isEqualTo(element(parent, "groupId"));
    assertThat(element(xml.text(), "artifactId")).isEqualTo(element(own, "artifactId")).isEqualTo("eye-client");
    assertThat(element(xml.text(), "version")).isEqualTo(element(parent, "version"));
  }

  /** The text of the first {@code <name>} element in {@code xml}. */
  private static String element(String xml, String name) {
    Matcher m = Pattern.compile("<" + name + ">\\s*([^<]*?)\\s*</" + name + ">").matcher(xml);
    assertThat(m.find()).as("<%s> in %s", name, xml).isTrue();
    return m.group(1);
  }

  @Test
  void theOpenSslExampleSignsTheDocumentedBodyAndPrintsTheDocumentedDigests() throws Exception {
    Requirements.requireExecutable(Path.of("/usr/bin/openssl"));
    List<Block> blocks = DocBlocks.runBy(PROTOCOL_DOC, SELF);
    assertThat(blocks).hasSize(2);
    String body = blocks.get(0).text().strip();
    String script = blocks.get(1).text();
    assertThat(script).as("the script writes the body shown above it").contains("printf '%s' '" + body + "' > body.json");
    List<String> documented = script.lines().filter(l -> l.startsWith("# ")).map(l -> l.substring(2)).toList();
    assertThat(documented).hasSize(2);

    try (ChildProcess bash = ChildProcess.bash(work, Map.of(), script)) {
      assertThat(bash.awaitExit(30)).as(bash.output()).isZero();
      assertThat(bash.stdout().lines().toList()).containsExactlyElementsOf(documented);
    }
    assertThat(Files.readString(work.resolve("body.json"))).isEqualTo(body);
  }

  /** README's "Running the collector" command, with a temporary directory for /var/lib/eye and a free port. */
  @Test
  void theReadmeCollectorCommandStartsWithItsKeyAndStopsCleanly() throws Exception {
    Block command = DocBlocks.runBy(README, SELF).stream().findFirst().orElseThrow();
    assertThat(command.text()).contains("--port 8080", "--db /var/lib/eye/eye.db", "eye-collector/target/eye-collector.jar");
    Path dataDir = Files.createDirectories(work.resolve("var-lib-eye"));
    String script = "exec " + command.text().strip()
        .replace("eye-collector/target/eye-collector.jar", NewcomerPathIT.COLLECTOR_JAR.toString())
        .replace("--port 8080", "--port 0")
        .replace("/var/lib/eye/", dataDir + "/");
    String secret = "readme-shop-secret";
    try (ChildProcess collector = ChildProcess.bash(work, Map.of("SHOP_SECRET", secret), script)) {
      String endpoint = collector.awaitLine("listening on ").substring("listening on ".length()).trim();
      assertThat(collector.stdout()).contains("application shop: key id shop-key-1").doesNotContain(secret);
      EyeClient eye = EyeClient.builder().endpoint(endpoint).keyId("shop-key-1").secret(secret).build();
      eye.track("readme-session", "page interaction", "pageview", Map.of("host", "www.ca.com", "path", "/"));
      assertThat(eye.close(Duration.ofSeconds(10))).as("undelivered").isZero();
      collector.terminate();
      assertThat(collector.awaitExit(60)).as(collector.output()).isZero();
    }
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:file:" + dataDir.resolve("eye.db") + "?mode=ro");
        ResultSet rows = db.createStatement().executeQuery("SELECT app_id, session_id FROM events")) {
      assertThat(rows.next()).isTrue();
      assertThat(List.of(rows.getString(1), rows.getString(2))).containsExactly("shop", "readme-session");
    }
  }
}
