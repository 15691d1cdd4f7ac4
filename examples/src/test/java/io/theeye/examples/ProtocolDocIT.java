package io.theeye.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.testsupport.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/protocol.md's curl examples, run as a user copies them: against the quick-start collector jar, with
 * only the placeholder secret and the port replaced by what that collector printed. Each block's answer
 * must be the one the doc shows under it, and the event must be stored once although it is sent twice.
 */
@Timeout(120)
class ProtocolDocIT {

  private static final Path PROTOCOL_DOC = NewcomerPathIT.MODULE.resolveSibling("docs").resolve("protocol.md");
  private static final String SECTION = "### Sending a signed request with curl";
  private static final Pattern BASH_BLOCK = Pattern.compile("```bash\n(.*?)```", Pattern.DOTALL);

  @TempDir
  Path work;

  @Test
  void theCurlExamplesStoreTheirEventOnceAndAnswerAsDocumented() throws Exception {
    Requirements.requireExecutable(Path.of("/usr/bin/curl"));
    Requirements.requireExecutable(Path.of("/usr/bin/openssl"));
    List<String> blocks = curlBlocks();
    assertThat(blocks).as("the plain and the gzip example").hasSize(2);
    assertThat(blocks.get(0)).contains("SECRET=PASTE-THE-PRINTED-SECRET", "\"event_id\":");

    try (QuickStartCollector collector = QuickStartCollector.start(work)) {
      assertThat(blocks.get(0)).contains("KEY_ID=" + collector.keyId);

      // The two blocks run in one shell, as a user pastes one after the other.
      String script = "set -euo pipefail\n" + String.join("\necho\n", blocks)
          .replace("PASTE-THE-PRINTED-SECRET", collector.secret)
          .replace("http://127.0.0.1:8080", collector.endpoint);
      Files.writeString(work.resolve("doc.sh"), script, StandardCharsets.UTF_8);
      Process bash = new ProcessBuilder("bash", "doc.sh").directory(work.toFile()).redirectErrorStream(true).start();
      assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(bash.exitValue()).as(out).isZero();
      assertThat(out.lines().filter(l -> !l.isBlank()).toList())
          .as("each block answers what the doc shows under it")
          .containsExactly(expectedAnswer(blocks.get(0)), expectedAnswer(blocks.get(1)));

      try (Connection db = DriverManager.getConnection("jdbc:sqlite:file:" + work.resolve("eye.db") + "?mode=ro");
          ResultSet rows = db.createStatement().executeQuery(
              "SELECT event_id, session_id, json_extract(data, '$.path') FROM events")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getString(1)).isEqualTo("0190f6c2-2f43-7a9e-8d4b-4a1d2c3e5f60");
        assertThat(rows.getString(2)).isEqualTo("s-1");
        assertThat(rows.getString(3)).isEqualTo("/");
        assertThat(rows.next()).as("sent twice, stored once").isFalse();
      }
      collector.stop();
    }
  }

  /** The bash blocks of the curl section, in order. */
  private static List<String> curlBlocks() throws Exception {
    String doc = Files.readString(PROTOCOL_DOC, StandardCharsets.UTF_8);
    int start = doc.indexOf(SECTION);
    assertThat(start).as("docs/protocol.md has the section " + SECTION).isNotNegative();
    int end = doc.indexOf("\n## ", start);
    Matcher block = BASH_BLOCK.matcher(doc.substring(start, end));
    List<String> blocks = new ArrayList<>();
    while (block.find()) {
      blocks.add(block.group(1));
    }
    return blocks;
  }

  /** The {@code # {...}} comment a block ends with: the answer the doc promises. */
  private static String expectedAnswer(String block) {
    List<String> comments = block.lines().filter(l -> l.startsWith("# {")).toList();
    assertThat(comments).hasSize(1);
    return comments.get(0).substring(2);
  }
}
