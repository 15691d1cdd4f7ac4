package io.theeye.examples.shop;

import io.theeye.client.EyeClient;
import io.theeye.examples.DemoApp;
import io.theeye.examples.DevKeys;
import io.theeye.web.EyeWeb;
import jakarta.servlet.ServletException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The demo shop as a program: a few pages on an embedded servlet container, with eye-web's snippet in
 * every page and its relay at {@code /eye/*}, sending what visitors do through {@code eye-client} to a
 * collector. Open it in a browser, click around, then query the collector's database.
 *
 * <pre>{@code
 * # in the directory of the quick-start collector (java -jar eye-collector/target/eye-collector.jar),
 * # which keeps its shop key in eye.db.dev-keys
 * java -jar examples/target/eye-shop.jar
 *
 * # with a key of your own
 * EYE_SECRET=... java -jar examples/target/eye-shop.jar --port 8081 --collector http://eye:8080 --key-id shop-key-1
 * }</pre>
 *
 * <p>It prints {@code listening on http://H:N} once it serves, and runs until stopped (Ctrl-C or
 * SIGTERM), when it delivers what is still queued (for at most {@code 5 s}) and exits: 0 when every
 * event reached the collector, 1 when some did not or it cannot listen, 2 for bad arguments.
 */
@Command(
    name = "eye-shop",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    version = "The Eye demo shop 0.1.0",
    description = {
        "A small web shop with The Eye's browser snippet: every page view, click on its call to action and "
            + "form submit goes through the shop's own server to the collector."})
public final class ShopApp implements Callable<Integer> {

  /** The default collector address: {@value}. */
  public static final String DEFAULT_COLLECTOR = "http://127.0.0.1:8080";
  /** The default key id, the quick-start collector's shop key: {@value}. */
  public static final String DEFAULT_KEY_ID = DemoApp.DEFAULT_KEY_ID;
  /** The default port: {@value}, beside the quick-start collector's 8080. */
  public static final int DEFAULT_PORT = 8081;
  /** How long the shop waits at shutdown for its last events to reach the collector. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "${env:EYE_HOST:-127.0.0.1}",
      description = "The address to listen on (env EYE_HOST; default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", paramLabel = "N", defaultValue = "${env:EYE_PORT:-" + DEFAULT_PORT + "}",
      description = "The port to listen on; 0 picks a free one (env EYE_PORT; default: " + DEFAULT_PORT + ").")
  int port;

  @Option(names = "--collector", paramLabel = "URL", defaultValue = "${env:EYE_COLLECTOR:-" + DEFAULT_COLLECTOR + "}",
      description = "The collector's base URL (env EYE_COLLECTOR; default: " + DEFAULT_COLLECTOR + ").")
  String collector;

  @Option(names = "--key-id", paramLabel = "ID", defaultValue = "${env:EYE_KEY_ID:-" + DEFAULT_KEY_ID + "}",
      description = "The shop's key id (env EYE_KEY_ID; default: " + DEFAULT_KEY_ID
          + ", the quick-start collector's shop key).")
  String keyId;

  @Option(names = "--secret", paramLabel = "SECRET", defaultValue = "${env:EYE_SECRET}",
      description = "That key's secret (env EYE_SECRET, which keeps it out of the process list); without it, "
          + "the key's line in --dev-keys. Stays on the server: the browser never sees it.")
  String secret;

  @Option(names = "--dev-keys", paramLabel = "FILE",
      defaultValue = "${env:EYE_DEV_KEYS:-" + DevKeys.DEFAULT_FILE + "}",
      description = "Used when no --secret is given: the keys a collector started with no application keeps "
          + "beside its database, one APP_ID:KEY_ID:SECRET per line (env EYE_DEV_KEYS; default: "
          + "${DEFAULT-VALUE}, the quick start's).")
  Path devKeys;

  @Option(names = "--session-rate-limit", paramLabel = "N",
      description = "Collect requests per minute one browser session may make (default: eye-web's, "
          + EyeWeb.Builder.DEFAULT_SESSION_REQUESTS_PER_MINUTE + ").")
  Integer sessionRateLimit;

  @Option(names = "--address-rate-limit", paramLabel = "N",
      description = "Collect requests per minute one client address may make (default: eye-web's, "
          + EyeWeb.Builder.DEFAULT_ADDRESS_REQUESTS_PER_MINUTE + ").")
  Integer addressRateLimit;

  @Spec
  CommandSpec spec;

  private final PrintStream out;

  ShopApp(PrintStream out) {
    this.out = out;
  }

  /** Runs the shop until the process is stopped; exits 2 on bad arguments, 1 when it cannot start. */
  public static void main(String[] args) {
    int status = new CommandLine(new ShopApp(System.out)).setUsageHelpAutoWidth(true).execute(args);
    // A shop that started never returns here: its shutdown hook ends the process.
    System.exit(status);
  }

  @Override
  public Integer call() throws Exception {
    CommandLine cli = spec.commandLine();
    if (secret == null || secret.isEmpty()) {
      secret = DevKeys.secretOf(devKeys, keyId).orElseThrow(() -> new CommandLine.ParameterException(cli, "no secret for key "
          + keyId + ": found none in " + devKeys + " (a collector started with no application writes it "
          + "beside its database). Run this in the collector's directory, give --dev-keys FILE, or give "
          + "--secret or set EYE_SECRET"));
    }
    if (port < 0 || port > 65535) {
      throw new CommandLine.ParameterException(cli, "--port must be 0-65535, was " + port);
    }
    EyeClient client;
    try {
      client = EyeClient.builder().endpoint(collector).keyId(keyId).secret(secret).build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cli, e.getMessage(), e);
    }
    ShopServer shop;
    try {
      EyeWeb.Builder builder = EyeWeb.builder(client);
      if (sessionRateLimit != null) {
        builder.sessionRateLimit(sessionRateLimit, Duration.ofMinutes(1));
      }
      if (addressRateLimit != null) {
        builder.addressRateLimit(addressRateLimit, Duration.ofMinutes(1));
      }
      shop = ShopServer.start(host, port, builder.build());
    } catch (IllegalArgumentException e) {
      client.close(Duration.ZERO);
      throw new CommandLine.ParameterException(cli, e.getMessage(), e);
    } catch (ServletException | RuntimeException e) {
      client.close(Duration.ZERO);
      System.err.println("eye-shop: cannot listen on " + host + ":" + port + ": " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      shop.close();
      long lost = client.close(CLOSE_TIMEOUT);
      out.println(lost == 0 ? "stopped; every event delivered" : "stopped; " + lost + " events not delivered");
      out.flush();
      // The JVM would exit with 143 after SIGTERM; a stop that delivered everything is a success.
      Runtime.getRuntime().halt(lost == 0 ? 0 : 1);
    }, "eye-shop-shutdown"));
    out.println("The Eye demo shop: sending to " + collector + " as key " + keyId + "; open "
        + shop.baseUrl() + "/ in a browser");
    out.println("listening on " + shop.baseUrl());
    out.flush();
    // Runs until SIGTERM or Ctrl-C: the hook above stops the shop and ends the process.
    Thread.currentThread().join();
    return 0;
  }
}
