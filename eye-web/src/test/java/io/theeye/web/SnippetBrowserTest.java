package io.theeye.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.theeye.testsupport.HeadlessChromium;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/** The snippet in a real headless Chromium, against the real relay, client and collector. */
@Timeout(120)
class SnippetBrowserTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static HeadlessChromium chromium;

  @TempDir
  Path dir;

  @BeforeAll
  static void startBrowser() {
    chromium = HeadlessChromium.start();
  }

  @AfterAll
  static void stopBrowser() {
    if (chromium != null) {
      chromium.close();
    }
  }

  private static ChromeDriver driver() {
    return chromium.driver();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> stats() {
    return (Map<String, Object>) driver().executeScript("return eye.stats()");
  }

  private static long stat(String name) {
    return ((Number) stats().get(name)).longValue();
  }

  /** The stored events the snippet sent (not the filter's server-side page views). */
  private static List<JsonNode> browserEvents(WebRig rig) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (Map<String, Object> row : rig.events()) {
      JsonNode node = JSON.valueToTree(row);
      JsonNode data = JSON.readTree((String) row.get("data"));
      if (!data.has("source")) {
        out.add(((com.fasterxml.jackson.databind.node.ObjectNode) node).set("data", data));
      }
    }
    return out;
  }

  private static List<String> names(List<JsonNode> events) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : events) {
      out.add(e.get("name").asText() + " " + e.at("/data/path").asText());
    }
    return out;
  }

  @Test
  void aVisitIsOneSessionInOrderWithFieldValuesOnlyWhereMarked() throws Exception {
    try (WebRig rig = WebRig.start(dir, b -> b.flushInterval(Duration.ofMillis(100)))) {
      String shop = rig.page("/shop", "<h1>Shop</h1>"
          + "<button id=cta data-eye-click=\"signup cta\"><span id=inner>Sign up</span></button>"
          + "<button id=next onclick=\"history.pushState({}, '', '/shop/step2')\">Next</button>"
          + "<button id=plain>Not tracked</button>"
          + "<form id=signup action=/thanks method=get>"
          + "<input name=first_name value=Zebedee>"
          + "<input name=email data-eye-capture value=john@example.com>"
          + "<input name=password type=password data-eye-capture value=hunter2>"
          + "<input name=newsletter type=checkbox data-eye-capture value=yes checked>"
          + "<input name=terms type=checkbox data-eye-capture value=agreed>"
          + "<button type=submit id=send>Send</button></form>");
      rig.page("/thanks", "<h1>Thanks</h1>");

      driver().get(shop);
      driver().findElement(By.id("inner")).click();
      driver().findElement(By.id("plain")).click();
      driver().findElement(By.id("next")).click();
      driver().navigate().back(); // popstate, same document
      await().atMost(WAIT).until(() -> "/shop".equals(driver().executeScript("return location.pathname")));
      driver().findElement(By.id("send")).click(); // navigates: the unload path sends what is queued
      await().atMost(WAIT).until(() -> driver().getCurrentUrl().contains("/thanks"));
      driver().get(rig.origin() + "/nowhere"); // leaves /thanks (a 404 page without the snippet)

      await().atMost(WAIT).untilAsserted(() -> assertThat(names(browserEvents(rig))).containsExactly(
          "pageview /shop", "cta click /shop", "pageview /shop/step2", "pageview /shop",
          "submit /shop", "pageview /thanks"));
      List<JsonNode> events = browserEvents(rig);
      assertThat(events).extracting(e -> e.get("session_id").asText()).containsOnly(
          events.get(0).get("session_id").asText());
      assertThat(events).extracting(e -> e.get("app_id").asText()).containsOnly(WebRig.APP);
      assertThat(events.get(1).at("/data/element").asText()).isEqualTo("signup cta");
      assertThat(events.get(1).at("/data/host").asText()).isEqualTo("127.0.0.1");
      JsonNode submit = events.get(4).get("data");
      assertThat(submit.get("form_id").asText()).isEqualTo("signup");
      assertThat(JSON.convertValue(submit.get("form"), Map.class))
          .isEqualTo(Map.of("email", "john@example.com", "newsletter", "yes"));
      assertThat(JSON.convertValue(submit.get("fields"), List.class))
          .containsExactly("first_name", "email", "password", "newsletter", "terms");
      // The server's page views (the filter) joined the same session through the cookie.
      await().atMost(WAIT).untilAsserted(() -> assertThat(rig.query(
          "SELECT DISTINCT session_id FROM events")).hasSize(1));
      assertThat(rig.query("SELECT json_extract(data, '$.path') AS path FROM events"
          + " WHERE json_extract(data, '$.source') = 'server' ORDER BY occurred_at, seq, id"))
          .extracting(r -> r.get("path")).containsExactly("/shop", "/thanks", "/nowhere");
      // Nothing unmarked, and no password, anywhere: not in data, not in the referrers' queries.
      assertThat(rig.query("SELECT count(*) AS n FROM events WHERE data GLOB '*Zebedee*' OR data GLOB '*hunter2*'"))
          .extracting(r -> ((Number) r.get("n")).intValue()).containsExactly(0);
      assertThat(rig.rejectedCount()).isZero(); // the bundled schemas accept every shape
    }
  }

  @Test
  void trackAllClicksNamesLinksAndButtonsWithoutMarks() throws Exception {
    try (WebRig rig = WebRig.start(dir, b -> b.trackAllClicks(true).flushInterval(Duration.ofMillis(50)))) {
      driver().get(rig.page("/all", "<a href=\"#more\" id=more>More</a><button>Buy  now</button>"
          + "<p id=text>not a control</p>"));
      driver().findElement(By.id("more")).click();
      driver().findElement(By.tagName("button")).click();
      driver().findElement(By.id("text")).click();
      await().atMost(WAIT).untilAsserted(() -> assertThat(browserEvents(rig))
          .filteredOn(e -> e.get("name").asText().equals("cta click"))
          .extracting(e -> e.at("/data/element").asText()).containsExactly("a:more", "button:Buy now"));
    }
  }

  @Test
  void batchesAreCutAtTheBatchSize() throws Exception {
    try (WebRig rig = WebRig.start(dir, b -> b.maxBatchEvents(5).flushInterval(Duration.ofMinutes(1)))) {
      driver().get(rig.page("/batch", "<p>batch</p>"));
      // The page view plus nine: two full batches, sent without waiting for the (one minute) timer.
      driver().executeScript("for (var i = 0; i < 9; i++) eye.track('app', 'step', {n: i});");
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(rig.web.counters().requestsAccepted()).isEqualTo(2);
        assertThat(rig.web.counters().eventsAccepted()).isEqualTo(10);
      });
      driver().executeScript("eye.track('app', 'step', {n: 9}); eye.track('app', 'step', {n: 10});");
      assertThat(stat("queued")).isEqualTo(2); // a batch not yet full waits for the timer
      assertThat(stat("seq")).isEqualTo(12);
      assertThat(rig.web.counters().requestsAccepted()).isEqualTo(2);
    }
  }

  @Test
  void pageHideSendsWhatIsQueued() throws Exception {
    try (WebRig rig = WebRig.start(dir, b -> b.flushInterval(Duration.ofMinutes(1)))) {
      driver().get(rig.page("/leave", "<p>leave</p>"));
      driver().executeScript("eye.track('app', 'one'); eye.track('app', 'two');");
      assertThat(stat("queued")).isEqualTo(3);
      assertThat(rig.web.counters().requestsAccepted()).isZero();

      driver().get(rig.page("/next", "<p>next</p>")); // pagehide: nothing else would send for a minute

      await().atMost(WAIT).untilAsserted(() -> assertThat(names(browserEvents(rig)))
          .containsExactly("pageview /leave", "one /leave", "two /leave"));
    }
  }

  @Test
  void queueIsBoundedWhileTheRelayRefusesAndKeepsTheNewest() throws Exception {
    // One request per session per hour: the first batch is stored, every later one is refused 429.
    try (WebRig rig = WebRig.start(dir, b -> b.sessionRateLimit(1, Duration.ofHours(1))
        .maxBatchEvents(5).maxQueueEvents(20).flushInterval(Duration.ofMinutes(1)))) {
      driver().get(rig.page("/bound", "<p>bound</p>"));
      driver().executeScript("for (var i = 1; i < 100; i++) eye.track('app', 'n' + i);");

      await().atMost(WAIT).until(() -> rig.web.counters().rateLimited() == 1);
      // 100 events: 5 sent, the refused batch back at the front of the 20 kept, the oldest 75 dropped.
      await().atMost(WAIT).untilAsserted(() -> assertThat(stats()).containsEntry("queued", 20L)
          .containsEntry("dropped", 75L).containsEntry("sent", 5L));
      // Retry-After is honoured: a flush now takes nothing off the queue (a send would, at once).
      driver().executeScript("eye.flush()");
      assertThat(stat("queued")).isEqualTo(20);
      assertThat(rig.web.counters().requestsAccepted()).isEqualTo(1);
    }
  }

  @Test
  void neverThrowsIntoThePage() throws Exception {
    try (WebRig rig = WebRig.start(dir, b -> b.flushInterval(Duration.ofMillis(50)))) {
      driver().get(rig.page("/rough", "<form id=f><input name=elements><input name=id></form>"
          + "<svg><circle data-eye-click=\"svg dot\" id=dot r=5 cx=5 cy=5></circle></svg>"
          + "<script>window.pageErrors = [];"
          + "addEventListener('error', function (e) { pageErrors.push(String(e.message)); });"
          + "addEventListener('unhandledrejection', function (e) { pageErrors.push(String(e.reason)); });"
          + "</script>"));
      @SuppressWarnings("unchecked")
      List<String> results = (List<String>) driver().executeScript(
          "var results = [];"
          + "function attempt(f) { try { f(); results.push('ok'); } catch (e) { results.push('threw ' + e); } }"
          + "var circular = {}; circular.self = circular;"
          + "attempt(function () { eye.track(); });"
          + "attempt(function () { eye.track(null, undefined, 42); });"
          + "attempt(function () { eye.track('c', 'circular', circular); eye.flush(); });"
          + "attempt(function () { eye.track('c', 'n', 'not an object'); });"
          + "attempt(function () { document.getElementById('f').dispatchEvent(new Event('submit')); });"
          + "attempt(function () { document.getElementById('dot').dispatchEvent(new MouseEvent('click', {bubbles: true})); });"
          + "attempt(function () { history.pushState({}, '', '/rough/2'); history.replaceState({}, '', '/rough/3'); });"
          + "attempt(function () { window.fetch = function () { throw new Error('no network'); };"
          + "  eye.track('c', 'offline'); eye.flush(); });"
          + "return results;");

      assertThat(results).containsOnly("ok").hasSize(8);
      assertThat((List<?>) driver().executeScript("return pageErrors")).isEmpty();
      assertThat((String) driver().executeScript("return typeof eye.track")).isEqualTo("function");
    }
  }
}
