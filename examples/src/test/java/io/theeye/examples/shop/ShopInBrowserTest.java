package io.theeye.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.theeye.client.EyeClient;
import io.theeye.collector.Collector;
import io.theeye.testsupport.HeadlessChromium;
import io.theeye.web.EyeWeb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A visit to the demo shop in a real headless Chromium, stored by a real collector: the shop on port 0
 * with eye-web exactly as {@link ShopApp} wires it, a collector on port 0 with the shop's key and a
 * SQLite file in a temporary directory. The visitor opens the home page, goes to a product, clicks its
 * call to action, fills in and submits the checkout form and leaves; the database then holds one session
 * with those steps in the order they happened, under the shop's application, every payload accepted by
 * the bundled schemas, and none of what the visitor typed.
 */
@Timeout(180)
class ShopInBrowserTest {

  private static final String APP = "shop";
  private static final String KEY_ID = "shop-key";
  private static final String SECRET = "shop-secret-for-the-browser-test";
  /** The screenshot docs/web.md shows (docs/images/eye-shop.png is a copy). */
  static final Path SCREENSHOT = Path.of("target/eye-shop.png");

  private static final String NAME = "Ada Lovelace";
  private static final String EMAIL = "ada.lovelace@example.org";
  private static final String PASSWORD = "correct-horse-battery-staple";

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  /** One stored event, in the order the session query returns them. */
  record Stored(String appId, String sessionId, String category, String name, JsonNode data) {
    String step() {
      return name + " " + data.path("path").asText();
    }
  }

  @Test
  void aVisitIsOneSessionOfPageviewsClickAndSubmitInOrderWithoutWhatWasTyped() throws Exception {
    Path db = dir.resolve("eye.db");
    Product lamp = Product.CATALOG.get(0);
    String session;
    try (Collector collector = Collector.builder().port(0).db(db).app(APP, KEY_ID, SECRET).start()) {
      EyeClient client = EyeClient.builder().endpoint(collector.uri().toString()).keyId(KEY_ID).secret(SECRET)
          .build();
      try (ShopServer shop = ShopServer.start("127.0.0.1", 0, EyeWeb.builder(client).build());
          HeadlessChromium chromium = HeadlessChromium.start(1200, 760)) {
        ChromeDriver browser = chromium.driver();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        String home = shop.baseUrl() + "/";

        browser.get(home);
        browser.findElement(By.cssSelector("a.card[href='" + lamp.path() + "']")).click();
        wait.until(ExpectedConditions.urlToBe(shop.baseUrl() + lamp.path()));
        chromium.screenshot(SCREENSHOT);

        browser.findElement(By.id("buy")).click();
        wait.until(ExpectedConditions.urlContains("/checkout?product=" + lamp.slug()));
        browser.findElement(By.id("full_name")).sendKeys(NAME);
        browser.findElement(By.id("email")).sendKeys(EMAIL);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        new Select(browser.findElement(By.id("delivery"))).selectByValue("express");
        browser.findElement(By.name("newsletter")).click();
        browser.findElement(By.id("place-order")).click();
        wait.until(ExpectedConditions.urlContains("/thanks?product=" + lamp.slug()));
        session = browser.manage().getCookieNamed(EyeWeb.Builder.DEFAULT_COOKIE_NAME).getValue();

        // Leaving the page: its pagehide hands what the snippet still holds to the browser to send.
        browser.get("about:blank");
        await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100))
            .until(() -> events(db).stream().anyMatch(e -> e.step().equals("pageview /thanks")));
        client.flush().get(30, TimeUnit.SECONDS);
      } finally {
        assertThat(client.close(Duration.ofSeconds(10))).as("events the shop did not deliver").isZero();
      }

      List<Stored> events = events(db);
      assertThat(events).extracting(Stored::step).containsExactly(
          "pageview /",
          "pageview " + lamp.path(),
          "cta click " + lamp.path(),
          "pageview /checkout",
          "submit /checkout",
          "pageview /thanks");
      assertThat(events).extracting(Stored::appId).containsOnly(APP);
      assertThat(events).extracting(Stored::sessionId).containsOnly(session);
      assertThat(events).extracting(Stored::category).containsExactly("page interaction", "page interaction",
          "page interaction", "page interaction", "form interaction", "page interaction");

      // The brief's payload shapes: host and path everywhere, the element clicked, the form submitted.
      for (Stored e : events) {
        assertThat(e.data().path("host").asText()).as(e.step()).isEqualTo("127.0.0.1");
      }
      assertThat(events.get(2).data().path("element").asText()).isEqualTo("buy now");
      JsonNode submit = events.get(4).data();
      assertThat(submit.path("form_id").asText()).isEqualTo("checkout");
      assertThat(JSON.convertValue(submit.path("fields"), new TypeReference<List<String>>() {}))
          .containsExactly("product", "full_name", "email", "password", "delivery", "newsletter");
      // Only the fields the page marked with data-eye-capture carry their values.
      assertThat(JSON.convertValue(submit.path("form"), new TypeReference<Map<String, String>>() {}))
          .containsOnlyKeys("product", "delivery")
          .containsEntry("product", lamp.slug())
          .containsEntry("delivery", "express");

      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
        assertThat(count(c, "SELECT count(*) FROM rejected_events")).as("rejected rows").isZero();
        assertThat(count(c, "SELECT count(*) FROM sessions WHERE session_id = '" + session + "'")).isOne();
      }
    }
    // The collector is closed and its WAL checkpointed: nothing the visitor typed is anywhere in the file.
    List<Path> files = new ArrayList<>();
    try (var list = Files.list(dir)) {
      list.filter(p -> p.getFileName().toString().startsWith("eye.db")).forEach(files::add);
    }
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      assertThat(bytes).as(file.toString()).doesNotContain(NAME, EMAIL, PASSWORD, "Lovelace");
    }
  }

  /** The shop's events, as the README's session query orders them. */
  private static List<Stored> events(Path db) throws SQLException {
    List<Stored> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT app_id, session_id, category, name, data FROM events "
            + "ORDER BY session_id, occurred_at, seq, id")) {
      while (r.next()) {
        try {
          out.add(new Stored(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
              JSON.readTree(r.getString(5))));
        } catch (java.io.IOException e) {
          throw new SQLException("unreadable data", e);
        }
      }
    }
    return out;
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }
}
