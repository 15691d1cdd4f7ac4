package io.theeye.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.testsupport.ChildProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's quick-start collector: the collector jar with no application configured, on a free port,
 * storing into {@code work/eye.db} (and its demo keys into {@code work/eye.db.dev-keys}), with the shop's
 * key id and secret it printed at startup.
 */
final class QuickStartCollector implements AutoCloseable {

  static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  private static final Pattern DEMO_KEY = Pattern.compile("app id: shop\\s+key id: (\\S+)\\s+secret: (\\S+)");

  final ChildProcess process;
  final String endpoint;
  final String keyId;
  final String secret;

  private QuickStartCollector(ChildProcess process, String endpoint, String keyId, String secret) {
    this.process = process;
    this.endpoint = endpoint;
    this.keyId = keyId;
    this.secret = secret;
  }

  /** Starts it in {@code work} and waits for its {@code listening on} line. */
  static QuickStartCollector start(Path work) throws Exception {
    ChildProcess process = ChildProcess.javaJar(work, Map.of(), JVM, NewcomerPathIT.COLLECTOR_JAR, "--port", "0");
    try {
      String endpoint = process.awaitLine("listening on ").substring("listening on ".length()).trim();
      Matcher key = DEMO_KEY.matcher(process.stdout());
      assertThat(key.find()).as("the collector prints the shop's demo key:\n%s", process.stdout()).isTrue();
      return new QuickStartCollector(process, endpoint, key.group(1), key.group(2));
    } catch (Exception | AssertionError e) {
      process.close();
      throw e;
    }
  }

  /** Stops it with SIGTERM and asserts a clean exit. */
  void stop() throws Exception {
    process.terminate();
    assertThat(process.awaitExit(60)).as(process.output()).isZero();
  }

  @Override
  public void close() {
    process.close();
  }
}
