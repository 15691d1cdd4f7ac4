package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theeye.collector.console.AdminConsole;
import io.theeye.collector.console.AdminSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Who may open the admin console, and where it is not served. */
@Timeout(60)
class ConsoleAccessTest extends CollectorTestSupport {

  private static final String TOKEN = "admin-token-0123456789-never-shown";
  private static final List<String> CONSOLE_PATHS =
      List.of("/", "/overview.html", "/errors.html", "/console.js", "/api/overview", "/api/errors", "/api/tail");

  private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private static HttpResponse<String> get(URI uri, String... headers) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An address of this machine that is not loopback, or loopback's name for "all interfaces". */
  private static String reachableNonLoopback() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && nic.isUp()) {
          return a.getHostAddress();
        }
      }
    }
    return "0.0.0.0";
  }

  @Test
  void aConsoleBoundBeyondLoopbackWithoutATokenIsRefused() {
    assertThatThrownBy(() -> new AdminSettings("0.0.0.0", 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a token").hasMessageContaining("EYE_ADMIN_TOKEN");
    assertThatThrownBy(() -> new AdminSettings("0.0.0.0", 0, "  "))
        .hasMessageContaining("needs a token");
    assertThatThrownBy(() -> new AdminSettings("127.0.0.1", 0, "short"))
        .hasMessageContaining("at least 16 bytes");
    assertThat(new AdminSettings("localhost", 0, null).requiresToken()).isFalse();
    assertThat(new AdminSettings("0.0.0.0", 0, TOKEN).toString()).doesNotContain(TOKEN);
  }

  @Test
  void theCommandLineRefusesToStartANonLoopbackConsoleWithoutAToken() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CollectorMain main = new CollectorMain(Map.of(), new PrintStream(new ByteArrayOutputStream(), true),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String[] args = {"--port", "0", "--db", db(), "--app", APP + ":" + KEY + ":" + SECRET,
        "--admin-port", "0", "--admin-host", "0.0.0.0"};
    assertThat(main.commandLine(args).execute(args)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("needs a token");
    assertThat(main.collector()).isNull();
  }

  @Test
  void theCommandLineTakesTheTokenFromTheEnvironmentAndPrintsTheConsoleAddressButNotTheToken() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CollectorMain main = new CollectorMain(Map.of("EYE_ADMIN_TOKEN", TOKEN),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true));
    String[] args = {"--port", "0", "--db", db(), "--app", APP + ":" + KEY + ":" + SECRET,
        "--admin-port", "0", "--admin-host", "0.0.0.0"};
    try {
      assertThat(main.commandLine(args).execute(args)).isZero();
      String stdout = out.toString(StandardCharsets.UTF_8);
      Matcher m = Pattern.compile("(?m)^admin console on http://0\\.0\\.0\\.0:(\\d+)/$").matcher(stdout);
      assertThat(m.find()).as(stdout).isTrue();
      assertThat(stdout).doesNotContain(TOKEN);
      assertThat(stdout.strip()).endsWith(CollectorMain.LISTENING_PREFIX + main.collector().uri());
      URI console = URI.create("http://127.0.0.1:" + m.group(1) + "/api/overview");
      assertThat(get(console).statusCode()).isEqualTo(401);
      assertThat(get(console, "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    } finally {
      if (main.collector() != null) {
        main.collector().close();
      }
    }
  }

  @Test
  void aConsoleBoundBeyondLoopbackRefusesEveryRequestWithoutItsToken() throws Exception {
    String host = reachableNonLoopback();
    Collector collector = start(b -> b.admin(new AdminSettings(host, 0, TOKEN)));
    URI base = collector.adminUri();
    assertThat(base.getHost()).isEqualTo(host);

    for (String path : CONSOLE_PATHS) {
      HttpResponse<String> none = get(base.resolve(path));
      assertThat(none.statusCode()).as(path).isEqualTo(401);
      assertThat(none.body()).contains("needs its token").doesNotContain(TOKEN);
      assertThat(get(base.resolve(path), "Authorization", "Bearer " + TOKEN + "x").statusCode()).as(path).isEqualTo(401);
      assertThat(get(base.resolve(path), "Cookie", AdminConsole.TOKEN_COOKIE + "=wrong").statusCode()).isEqualTo(401);
      assertThat(get(base.resolve(path + "?token=wrong-token-of-some-length")).statusCode()).isEqualTo(401);
    }
    HttpResponse<String> bearer = get(base.resolve("/api/overview"), "Authorization", "Bearer " + TOKEN);
    assertThat(bearer.statusCode()).isEqualTo(200);
    assertThat(bearer.body()).contains("\"version\"").doesNotContain(TOKEN);

    // Opening a page with ?token= keeps the token in an HttpOnly cookie and takes it out of the address.
    HttpResponse<String> opened = get(base.resolve("/errors.html?token=" + TOKEN));
    assertThat(opened.statusCode()).isEqualTo(303);
    assertThat(opened.headers().firstValue("Location")).hasValue("/errors.html");
    String cookie = opened.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).startsWith(AdminConsole.TOKEN_COOKIE + "=").contains("HttpOnly").contains("SameSite=Strict");
    HttpResponse<String> page = get(base.resolve("/errors.html"), "Cookie", cookie.split(";")[0]);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Errors · The Eye</title>");
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
        csp -> assertThat(csp).contains("default-src 'self'"));
  }

  @Test
  void theIngestionPortServesNoConsole() throws Exception {
    Collector collector = start(b -> b.admin(AdminSettings.loopback(0)));
    assertThat(collector.adminUri().getPort()).isNotEqualTo(collector.port()).isNotZero();
    for (String path : CONSOLE_PATHS) {
      HttpResponse<String> ingestion = get(collector.uri().resolve(path));
      assertThat(ingestion.statusCode()).as(path).isEqualTo(404);
      assertThat(ingestion.body()).contains("no such endpoint");
    }
    assertThat(get(collector.adminUri().resolve("/overview.html")).statusCode()).isEqualTo(200);
    assertThat(get(collector.adminUri().resolve("/")).headers().firstValue("Location")).hasValue("/overview.html");
  }

  @Test
  void withoutAnAdminPortThereIsNoConsole() throws Exception {
    Collector collector = start();
    assertThat(collector.adminUri()).isNull();
  }

  @Test
  void theConsoleIsReadOnlyAndAnswersUnknownEndpointsWith404() throws Exception {
    Collector collector = start(b -> b.admin(AdminSettings.loopback(0)));
    URI base = collector.adminUri();
    HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/overview"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(get(base.resolve("/api/nothing")).statusCode()).isEqualTo(404);
    assertThat(get(base.resolve("/api/errors?from=yesterday")).body()).contains("ISO-8601");
    assertThat(get(base.resolve("/nothing.html")).statusCode()).isEqualTo(404);
  }
}
