package io.theeye.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.theeye.client.DropReason;
import io.theeye.client.EyeClient;
import io.theeye.client.EyeCounters;
import io.theeye.collector.Collector;
import io.theeye.web.EyeWeb;
import jakarta.annotation.PreDestroy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The starter in a real Spring Boot web application (Tomcat, Actuator, Micrometer) sending to a real
 * collector on port 0 with SQLite in a temporary directory. The methods run in order; after the last
 * one the test framework closes the application context, and {@link #afterTheContextClosed()} reads
 * what reached the database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = EyeStarterApplicationTest.App.class,
    properties = {
        "eye.key-id=" + EyeStarterApplicationTest.KEY_ID,
        "eye.secret=" + EyeStarterApplicationTest.SECRET,
        // Nothing leaves the buffer on a timer: only flush() and the context's close send events.
        "eye.flush-interval=1h",
        "eye.retry-backoff.initial=50ms",
        "eye.shutdown-timeout=20s",
        "eye.web.page-views=true",
        "management.endpoint.health.show-details=always"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class EyeStarterApplicationTest {

  static final String KEY_ID = "shop-web-1";
  static final String SECRET = "spring-boot-test-secret";

  @TempDir
  static Path dir;

  private static Collector collector;

  @Autowired
  EyeClient eye;

  @Autowired
  EyeWeb web;

  @Autowired
  MeterRegistry registry;

  @LocalServerPort
  int port;

  private final HttpClient http = HttpClient.newHttpClient();

  @DynamicPropertySource
  static void collectorEndpoint(DynamicPropertyRegistry registry) throws Exception {
    collector = startCollector(0);
    registry.add("eye.endpoint", () -> collector.uri().toString());
  }

  private static Collector startCollector(int port) throws Exception {
    return Collector.builder().port(port).db(dir.resolve("eye.db")).app("shop", KEY_ID, SECRET).start();
  }

  /**
   * Runs once the context is closed ({@link #theLastEventsAreTrackedJustBeforeTheContextCloses()} dirties
   * it): everything tracked before is in the database.
   */
  @AfterAll
  static void afterTheContextClosed() throws Exception {
    try (Collector stopping = collector;
        Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("eye.db"));
        Statement statement = db.createStatement();
        ResultSet rows = statement.executeQuery("SELECT "
            + "(SELECT count(*) FROM events WHERE session_id = 'closing'), "
            + "(SELECT count(*) FROM events WHERE session_id = 'farewell' AND name = 'stopped'), "
            + "(SELECT count(*) FROM events WHERE name = 'pageview' "
            + "  AND json_extract(data, '$.source') = 'server' AND json_extract(data, '$.path') = '/')")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getLong(1)).as("tracked just before the context closed").isEqualTo(100);
      // A bean that uses the client tracks from its @PreDestroy: the client is closed after it.
      assertThat(rows.getLong(2)).as("tracked by a dependent bean while the context closed").isEqualTo(1);
      assertThat(rows.getLong(3)).as("the page-view filter's page view").isEqualTo(1);
    }
  }

  @Test
  @Order(1)
  void theRelayServesTheSnippetAndThePageViewFilterTracksPages() throws Exception {
    HttpResponse<String> script = get(web.scriptPath(), "*/*");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).contains("javascript"));
    assertThat(script.body()).isEqualTo(web.script()).doesNotContain(SECRET);

    HttpResponse<String> page = get("/", "text/html");
    assertThat(page.body()).contains(web.scriptTag());
    assertThat(page.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c).startsWith("eye_sid="));
    assertThat(web.counters().toString()).contains("pageViews=1");
  }

  @Test
  @Order(2)
  void metersCarryTheCounters() throws Exception {
    for (int i = 0; i < 5; i++) {
      eye.track("meters", "page interaction", "pageview", Map.of("host", "shop.test", "path", "/" + i));
    }
    eye.track("meters", "", "pageview", Map.of());   // dropped: no category
    eye.flush().get(30, TimeUnit.SECONDS);

    EyeCounters counters = eye.counters();
    assertThat(counters.acknowledged()).isEqualTo(6);   // the filter's page view and these five
    assertThat(meter("tracked")).isEqualTo(counters.tracked()).isEqualTo(6);
    assertThat(meter("sent")).isEqualTo(counters.sent());
    assertThat(meter("acknowledged")).isEqualTo(counters.acknowledged());
    assertThat(meter("accepted")).isEqualTo(counters.accepted());
    assertThat(meter("failed")).isEqualTo(counters.failed()).isZero();
    assertThat(registry.get("eye.client.events.dropped").tag("reason", "invalid_argument").functionCounter()
        .count()).isEqualTo(counters.dropped(DropReason.INVALID_ARGUMENT)).isEqualTo(1);
    assertThat(registry.get("eye.client.events.pending").gauge().value()).isZero();
  }

  @Test
  @Order(3)
  void healthGoesDownWhenTheCollectorStopsAndUpWhenItReturns() throws Exception {
    HttpResponse<String> up = get("/actuator/health/eye", "application/json");
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(up.body()).contains("\"status\":\"UP\"", "\"collector\":\"ready\"");

    int collectorPort = collector.port();
    collector.close();
    HttpResponse<String> down = get("/actuator/health/eye", "application/json");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.body()).contains("\"status\":\"DOWN\"", "\"collector\":\"unreachable: ");

    collector = startCollector(collectorPort);
    await().atMost(Duration.ofSeconds(30))
        .until(() -> get("/actuator/health/eye", "application/json").statusCode() == 200);
  }

  @Test
  @Order(4)
  @DirtiesContext
  void theLastEventsAreTrackedJustBeforeTheContextCloses() {
    for (int i = 0; i < 100; i++) {
      eye.track("closing", "page interaction", "pageview", Map.of("host", "shop.test", "path", "/" + i));
    }
    // The flush interval is an hour away: only the context's close can deliver these.
    assertThat(eye.counters().pending()).isEqualTo(100);
  }

  private double meter(String name) {
    return registry.get("eye.client.events." + name).functionCounter().count();
  }

  private HttpResponse<String> get(String path, String accept) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    @Bean
    Farewell farewell(EyeClient eye) {
      return new Farewell(eye);
    }

    @Bean
    Page page(EyeWeb web) {
      return new Page(web);
    }
  }

  /** Tracks one event as the application stops. */
  static class Farewell {
    private final EyeClient eye;

    Farewell(EyeClient eye) {
      this.eye = eye;
    }

    @PreDestroy
    void stopped() {
      eye.track("farewell", "application", "stopped", Map.of());
    }
  }

  @RestController
  static class Page {
    private final EyeWeb web;

    Page(EyeWeb web) {
      this.web = web;
    }

    @GetMapping(value = "/", produces = MediaType.TEXT_HTML_VALUE)
    String home() {
      return "<!doctype html><html><head>" + web.scriptTag() + "</head><body>Shop</body></html>";
    }
  }
}
