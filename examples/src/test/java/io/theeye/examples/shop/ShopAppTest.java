package io.theeye.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The shop's command line refuses what it cannot run with, before it listens. */
class ShopAppTest {

  @TempDir
  Path dir;

  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CommandLine cli = new CommandLine(new ShopApp(new PrintStream(out, true, StandardCharsets.UTF_8)));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void withoutASecretOrTheQuickStartKeysItSaysWhereItLookedAndExits2() {
    Path missing = dir.resolve("eye.db.dev-keys");
    assertThat(run("--dev-keys", missing.toString(), "--port", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("no secret for key shop-key", missing.toString(), "--secret");
  }

  @Test
  void aPortOutOfRangeIsRefused() {
    assertThat(run("--secret", "s", "--port", "65536")).isEqualTo(2);
    assertThat(err.toString()).contains("--port must be 0-65535, was 65536");
  }
}
