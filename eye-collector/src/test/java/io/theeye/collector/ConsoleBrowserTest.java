package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.theeye.collector.console.AdminSettings;
import io.theeye.testsupport.HeadlessChromium;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Each console page in a real headless Chromium, against a collector fed with {@link ConsoleTraffic}:
 * the numbers on the page are the numbers SQL finds in the same file. Saves a screenshot of each page to
 * {@code target/console-screenshots/} (the copies in {@code docs/images/} come from there).
 */
@Timeout(120)
class ConsoleBrowserTest extends CollectorTestSupport {

  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
  private static final Duration RENDERED = Duration.ofSeconds(15);

  private static HeadlessChromium chromium;

  private Collector collector;
  private ConsoleTraffic traffic;

  @BeforeAll
  static void startBrowser() {
    chromium = HeadlessChromium.start(1280, 900);
  }

  @AfterAll
  static void stopBrowser() {
    if (chromium != null) {
      chromium.close();
    }
  }

  @Override
  protected Collector.Builder builder() {
    return ConsoleTraffic.keys(Collector.builder().port(0).db(db())).admin(AdminSettings.loopback(0));
  }

  @BeforeEach
  void feed() throws Exception {
    collector = start();
    traffic = new ConsoleTraffic().send(new TestSender(collector));
  }

  private ChromeDriver open(String page) {
    ChromeDriver driver = chromium.driver();
    driver.get(collector.adminUri().resolve(page).toString());
    return driver;
  }

  /** The visible text of the first element {@code css} selects, or null; read in one script, so never stale. */
  private static String text(ChromeDriver driver, String css) {
    List<String> all = texts(driver, css);
    return all.isEmpty() ? null : all.get(0);
  }

  @SuppressWarnings("unchecked")
  private static List<String> texts(ChromeDriver driver, String css) {
    return (List<String>) driver.executeScript(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText.trim());", css);
  }

  /** The sum of one chart series, as the overview drew it. */
  private static String seriesSum(ChromeDriver driver, String series) {
    return (String) driver.executeScript("const line = document.querySelector('polyline[data-series=' + arguments[0] + ']');"
        + " return line && line.getAttribute('data-sum');", series);
  }

  /** The number a page shows, commas removed. */
  private static Long number(String shown) {
    return shown == null || !shown.matches("[0-9,]+") ? null : Long.parseLong(shown.replace(",", ""));
  }

  private static void screenshot(String page) {
    chromium.screenshot(SCREENSHOTS.resolve(page + ".png"));
  }

  @Test
  void theOverviewShowsWhatTheDatabaseHoldsAndChartsIt() throws Exception {
    ChromeDriver driver = open("overview.html");
    long accepted = count("SELECT count(*) FROM events");
    long rejected = count("SELECT count(*) FROM rejected_events");
    await().atMost(RENDERED).untilAsserted(() -> {
      assertThat(number(text(driver, "#accepted"))).isEqualTo(accepted);
      assertThat(number(text(driver, "#rejected"))).isEqualTo(rejected);
      assertThat(number(text(driver, "#duplicates"))).isEqualTo(traffic.duplicates);
      assertThat(number(text(driver, "#queue"))).isZero();
      // Every second of the traffic was sampled into the chart's series.
      assertThat(seriesSum(driver, "accepted")).isEqualTo(Long.toString(accepted));
      assertThat(seriesSum(driver, "rejected")).isEqualTo(Long.toString(rejected));
    });
    assertThat(accepted).isEqualTo(15);
    assertThat(rejected).isEqualTo(2);
    assertThat(text(driver, "#version")).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(text(driver, "#commit-p50")).matches("p50 \\d+\\.\\d ms");
    assertThat(text(driver, "#db-size")).matches("[0-9.]+ (KiB|MiB)");
    assertThat(text(driver, "#store")).contains("SQLite");
    assertThat(text(driver, "#uptime")).matches("(\\d+m )?\\d+s");
    screenshot("overview");
  }

  @Test
  void theErrorsPageGroupsRejectionsAndShowsThePointerAndTheFutureTimestamp() throws Exception {
    ChromeDriver driver = open("errors.html");
    List<Map<String, Object>> groups = rows("SELECT reason, app_id, category || ' / ' || name AS type, count(*) AS n,"
        + " min(received_at) AS first_seen, max(received_at) AS last_seen"
        + " FROM rejected_events GROUP BY reason, app_id, category, name");
    assertThat(groups).hasSize(2);
    await().atMost(RENDERED).untilAsserted(() -> {
      for (Map<String, Object> g : groups) {
        String row = "tr[data-reason='" + g.get("reason") + "'][data-app='" + g.get("app_id") + "'][data-type='"
            + g.get("type") + "']";
        assertThat(number(text(driver, row + " .count"))).as(row).isEqualTo(((Number) g.get("n")).longValue());
        assertThat(text(driver, row + " .first-seen")).isEqualTo(g.get("first_seen"));
        assertThat(text(driver, row + " .last-seen")).isEqualTo(g.get("last_seen"));
      }
    });
    String violation = "tr[data-reason=schema_violation][data-app=shop][data-type='form interaction / submit']";
    assertThat(text(driver, violation + " .detail"))
        .contains(ConsoleTraffic.VIOLATION_POINTER + ": type:")
        .contains("data does not match the schema of \"form interaction\"/\"submit\"");
    assertThat(text(driver, violation + " .raw")).contains("\"path\":404");
    String future = "tr[data-reason=future_timestamp][data-app=shop][data-type='page interaction / pageview']";
    assertThat(text(driver, future + " .detail")).contains("timestamp " + traffic.futureTimestamp)
        .contains("ahead of the collector's clock");
    assertThat(text(driver, future + " .raw")).contains(traffic.futureTimestamp);
    assertThat(text(driver, "#summary")).startsWith("2 rejection(s) in 2 group(s)");
    screenshot("errors");

    // A window that ends before the traffic began holds nothing.
    driver.executeScript("const to = document.getElementById('to'); to.value = '2001-01-01T09:00:00';"
        + " to.dispatchEvent(new Event('change'));");
    await().atMost(RENDERED).untilAsserted(() ->
        assertThat(text(driver, "#errors tbody td.empty")).isEqualTo("No rejections in this window."));
  }

  @Test
  void theApplicationsPageShowsEachKeysRequestsAndTheUnknownTypes() throws Exception {
    ChromeDriver driver = open("applications.html");
    long blogVideos = count("SELECT count(*) FROM events WHERE app_id = 'blog' AND category = 'video' AND name = 'play'");
    assertThat(blogVideos).isEqualTo(1);
    await().atMost(RENDERED).untilAsserted(() -> {
      assertThat(text(driver, "section[data-app=shop] tr[data-key=shop-key-1] .by-status"))
          .isEqualTo("202: " + (traffic.requestsOldKey - 1) + ", 401: 1");
      assertThat(text(driver, "section[data-app=shop] tr[data-key=shop-key-2] .by-status"))
          .isEqualTo("202: " + traffic.requestsNewKey);
      assertThat(text(driver, "section[data-app=blog] tr[data-key=blog-key-1] .by-status"))
          .isEqualTo("202: " + traffic.requestsBlog);
      assertThat(number(text(driver, "section[data-app=blog] tr[data-type='video / play'] .stored"))).isEqualTo(blogVideos);
      assertThat(text(driver, "#other-requests tr[data-key='(unknown key id)'] .by-status")).isEqualTo("401: 1");
    });
    assertThat(text(driver, "section[data-app=shop] .unknown-types td.empty")).contains("has a schema");
    Instant last = Instant.parse(text(driver, "section[data-app=shop] tr[data-key=shop-key-2] .last-request"));
    assertThat(last).isBetween(Instant.now().minusSeconds(60), Instant.now());
    screenshot("applications");
  }

  @Test
  void theEventTypesPageShowsVolumeAndRejectionShareFromTheDatabase() throws Exception {
    ChromeDriver driver = open("types.html");
    List<Map<String, Object>> types = rows("SELECT t.category || ' / ' || t.name AS type,"
        + " (SELECT count(*) FROM events AS e WHERE e.category = t.category AND e.name = t.name) AS stored,"
        + " (SELECT count(*) FROM rejected_events AS r WHERE r.category = t.category AND r.name = t.name) AS rejected"
        + " FROM (SELECT category, name FROM events UNION SELECT category, name FROM rejected_events) AS t");
    assertThat(types).hasSize(4);
    await().atMost(RENDERED).untilAsserted(() -> {
      for (Map<String, Object> t : types) {
        String row = "#types tr[data-type='" + t.get("type") + "']";
        long stored = ((Number) t.get("stored")).longValue();
        long rejected = ((Number) t.get("rejected")).longValue();
        assertThat(number(text(driver, row + " .events"))).as(row).isEqualTo(stored);
        assertThat(number(text(driver, row + " .rejected"))).as(row).isEqualTo(rejected);
        assertThat(text(driver, row + " .share"))
            .isEqualTo(String.format(java.util.Locale.ROOT, "%.1f %%", 100.0 * rejected / (stored + rejected)));
      }
    });
    assertThat(text(driver, "#types tr[data-type='video / play'] td:last-child")).isEqualTo("no schema");
    driver.findElement(By.cssSelector("#types tr[data-type='form interaction / submit'] summary")).click();
    assertThat(text(driver, "#types tr[data-type='form interaction / submit'] pre")).contains("\"required\"");
    screenshot("types");
  }

  @Test
  void theLiveTailShowsAnEventWithinTwoSecondsOfIts202AndFilters() throws Exception {
    ChromeDriver driver = open("tail.html");
    String someEvent = traffic.eventIds.get(0);
    await().atMost(RENDERED).until(() -> !driver.findElements(By.cssSelector("#tail-events tr[data-event-id='"
        + someEvent + "']")).isEmpty());
    await().atMost(RENDERED).until(() -> driver.findElements(By.cssSelector("#tail-rejected tr[data-event-id]")).size() == 2);

    String fresh = UUID.randomUUID().toString();
    TestSender.Answer answer = new TestSender(collector).post(ConsoleTraffic.SHOP_NEW_KEY, ConsoleTraffic.SECRET,
        TestSender.batch(TestSender.pageview(fresh, ConsoleTraffic.SESSION, ConsoleTraffic.ts(Instant.now()))));
    assertThat(answer.status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).until(() ->
        !driver.findElements(By.cssSelector("#tail-events tr[data-event-id='" + fresh + "']")).isEmpty());
    screenshot("tail");

    driver.findElement(By.id("app")).sendKeys("blog");
    await().atMost(RENDERED).untilAsserted(() -> {
      List<String> apps = texts(driver, "#tail-events tbody tr td:nth-child(2)");
      assertThat(apps).hasSize((int) count("SELECT count(*) FROM events WHERE app_id = 'blog'")).containsOnly("blog");
      assertThat(text(driver, "#tail-rejected td.empty")).isEqualTo("No rejections.");
    });
    assertThat(Objects.requireNonNull(text(driver, "#status"))).startsWith("updated");
  }
}
