package io.theeye.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.collector.Collector;
import io.theeye.testsupport.HeadlessChromium;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example shop as a visitor uses it: its page opened in headless Chromium, against a real
 * collector on port 0 with SQLite in a temporary directory. The browser's page view and click and the
 * server's order end up in the collector's database under one session.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "eye.key-id=" + ShopBrowserTest.KEY_ID,
    "eye.secret=" + ShopBrowserTest.SECRET,
    // Quicker than the defaults, so the test waits less: the snippet's and the client's batches.
    "eye.web.snippet.flush-interval=100ms",
    "eye.flush-interval=100ms"})
@Timeout(120)
class ShopBrowserTest {

  static final String KEY_ID = "shop-spring-1";
  static final String SECRET = "shop-spring-test-secret";

  @TempDir
  static Path dir;

  private static Collector collector;

  @LocalServerPort
  int port;

  @DynamicPropertySource
  static void collectorEndpoint(DynamicPropertyRegistry registry) throws Exception {
    collector = Collector.builder().port(0).db(dir.resolve("eye.db")).app("shop", KEY_ID, SECRET).start();
    registry.add("eye.endpoint", () -> collector.uri().toString());
  }

  @AfterAll
  static void stopCollector() {
    collector.close();
  }

  @Test
  void theShopsPageViewClickAndOrderReachTheCollectorInOneSession() throws Exception {
    String session;
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      WebDriver browser = chromium.driver();
      browser.get("http://127.0.0.1:" + port + "/");
      assertThat(browser.getTitle()).isEqualTo("The Eye shop");
      browser.findElement(By.id("chat")).click();
      browser.findElement(By.id("order")).click();
      await().atMost(Duration.ofSeconds(20)).until(() -> !browser.findElements(By.id("thanks")).isEmpty());
      Cookie cookie = browser.manage().getCookieNamed("eye_sid");
      assertThat(cookie).as("the snippet's session cookie").isNotNull();
      session = cookie.getValue();
      // The thank-you page's own page view is sent when its batch is due; wait for it in the browser.
      await().atMost(Duration.ofSeconds(20)).until(() -> events(session).size() >= 4);
    }

    assertThat(events(session)).containsSubsequence(
        "page interaction/pageview /",
        "page interaction/cta click chat bubble",
        "shop/order Blue mug");
  }

  /** The session's events in order, as "category/name detail". */
  private List<String> events(String session) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("eye.db"));
        PreparedStatement query = db.prepareStatement("SELECT category, name, coalesce("
            + "json_extract(data, '$.element'), json_extract(data, '$.product'), json_extract(data, '$.path'))"
            + " FROM events WHERE session_id = ? ORDER BY occurred_at, seq, id")) {
      query.setString(1, session);
      List<String> events = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          events.add(rows.getString(1) + "/" + rows.getString(2) + " " + rows.getString(3));
        }
      }
      return events;
    }
  }
}
