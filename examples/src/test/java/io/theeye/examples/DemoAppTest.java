package io.theeye.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoAppTest {

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    CommandLine cmd = DemoApp.commandLine(new DemoApp(new PrintStream(out, true, StandardCharsets.UTF_8)));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
  }

  @Test
  void withoutAKeyItExplainsWhereToFindOne(@TempDir Path dir) {
    Path missing = dir.resolve("eye.db.dev-keys");
    Run run = run("--dev-keys", missing.toString(), "--secret", "");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("found no " + missing, "printed at startup", "--secret", "EYE_SECRET", "--app");
  }

  @Test
  void aMalformedLineInTheDevKeysFileIsRefusedWithoutEchoingIt(@TempDir Path dir) throws Exception {
    Path keys = Files.writeString(dir.resolve("eye.db.dev-keys"), "shop:shop-key:fine\nblog-sekrit\n");
    Run run = run("--dev-keys", keys.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("#2 must be APP_ID:KEY_ID:SECRET").doesNotContain("sekrit");
  }

  @Test
  void aMalformedAppSpecIsRefusedWithoutEchoingTheSecret() {
    Run run = run("--app", "shop:k1:fine", "--app", "no-colons-sekrit");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--app #2 must be APP_ID:KEY_ID:SECRET").doesNotContain("sekrit");
    Run twice = run("--app", "shop:k1:sekrit-one", "--app", "shop:k2:sekrit-two");
    assertThat(twice.exitCode()).isEqualTo(2);
    assertThat(twice.err()).contains("given twice").doesNotContain("sekrit");
  }

  @Test
  void rateAndDurationMustBePositive() {
    assertThat(run("--secret", "x", "--rate", "0").err()).contains("--rate must be");
    assertThat(run("--secret", "x", "--duration", "0s").err()).contains("--duration must be positive");
  }

  @Test
  void durationsReadTheWayPeopleWriteThem() {
    DemoApp.DurationConverter c = new DemoApp.DurationConverter();
    assertThat(c.convert("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(c.convert("PT1M")).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.convert("12")).isEqualTo(Duration.ofSeconds(12));
    assertThatThrownBy(() -> c.convert("soon")).hasMessageContaining("not a duration");
  }
}
