package io.theeye.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The first client snippet of README.md and of docs/client.md, each compiled as written (inside a main method, with the imports it needs) and
 * run in its own JVM against the quick-start collector jar with the secret that collector printed: the
 * event is stored and the program says so. With a wrong secret it must say that nothing was delivered,
 * and, with no logging backend on its class path (as in the snippet's program), the client itself must
 * print the 401 and the key id.
 */
@Timeout(180)
class ReadmeSnippetIT {

  private static final Path README = NewcomerPathIT.MODULE.resolveSibling("README.md");
  private static final Path CLIENT_DOC = NewcomerPathIT.MODULE.resolveSibling("docs").resolve("client.md");
  private static final Pattern JAVA_BLOCK =
      Pattern.compile("## (?:Using the client|Three lines).*?```java\n(.*?)```", Pattern.DOTALL);

  @TempDir
  Path work;

  @ParameterizedTest
  @ValueSource(strings = {"README", "client.md"})
  void theSnippetDeliversItsEventAndAWrongSecretIsReported(String doc) throws Exception {
    Path file = doc.equals("README") ? README : CLIENT_DOC;
    Matcher block = JAVA_BLOCK.matcher(Files.readString(file, StandardCharsets.UTF_8));
    assertThat(block.find()).as(file + " has its first-use java block").isTrue();

    try (QuickStartCollector collector = QuickStartCollector.start(work)) {
      String endpoint = collector.endpoint;
      assertThat(block.group(1)).contains("keyId(\"" + collector.keyId + "\")", "\"http://127.0.0.1:8080\"");
      // The one change from the README: the collector listens on a free port, not 8080.
      Path classes = compile(block.group(1).replace("http://127.0.0.1:8080", endpoint));

      String good = run(classes, collector.secret);
      assertThat(good).contains("every event delivered");
      String wrong = run(classes, "not-the-secret");
      assertThat(wrong).contains("1 events not delivered")
          .as("with no logging backend, the client still names the 401 and the key id")
          .contains("[eye-client] WARN", "the collector answered 401", "key id " + collector.keyId)
          .doesNotContain("not-the-secret");

      try (Connection db = DriverManager.getConnection("jdbc:sqlite:file:" + work.resolve("eye.db") + "?mode=ro");
          ResultSet rows = db.createStatement().executeQuery(
              "SELECT session_id, category, name, json_extract(data, '$.path') FROM events")) {
        assertThat(rows.next()).isTrue();
        assertThat(List.of(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)))
            .containsExactly("session-1", "page interaction", "pageview", "/");
        assertThat(rows.next()).as("only the run with the right secret stored its event").isFalse();
      }
      collector.stop();
    }
  }

  private Path compile(String snippet) throws Exception {
    return Javac.compile(work, "Snippet", "import io.theeye.client.*;\nimport java.time.*;\nimport java.util.*;\n"
        + "public class Snippet {\n  public static void main(String[] args) {\n" + snippet + "  }\n}\n");
  }

  /** The test's class path without Logback: a newcomer's program has only eye-client and its SLF4J API. */
  private static String withoutLoggingBackend(String classPath) {
    return java.util.Arrays.stream(classPath.split(File.pathSeparator))
        .filter(entry -> !entry.contains("logback"))
        .collect(java.util.stream.Collectors.joining(File.pathSeparator));
  }

  /** Runs the compiled snippet in its own JVM with EYE_SECRET set; returns its output. */
  private String run(Path classes, String secret) throws Exception {
    Path patched = Files.createDirectories(work.resolve("run-" + System.nanoTime()));
    ProcessBuilder java = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classes + File.pathSeparator + withoutLoggingBackend(System.getProperty("java.class.path")),
        "Snippet")
        .directory(patched.toFile()).redirectErrorStream(true);
    java.environment().put("EYE_SECRET", secret);
    Process process = java.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }
}
