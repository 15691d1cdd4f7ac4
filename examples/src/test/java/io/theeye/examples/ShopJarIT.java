package io.theeye.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.testsupport.ChildProcess;
import io.theeye.testsupport.HeadlessChromium;
import io.theeye.testsupport.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * docs/web.md's "Try it: the demo shop", from the built jars: the quick-start collector, the shop jar
 * started with the documented command (on free ports, given through its {@code EYE_*} variables), a
 * visit in a headless Chromium, the section's {@code sqlite3} command as written, and a clean stop.
 */
@Timeout(180)
class ShopJarIT {

  static final Path SHOP_JAR = NewcomerPathIT.MODULE.resolve("target/eye-shop.jar");
  private static final Path WEB_DOC = NewcomerPathIT.MODULE.resolveSibling("docs").resolve("web.md");
  /** What the section's query printed, for the person updating the doc's sample output. */
  private static final Path QUERY_OUTPUT = NewcomerPathIT.MODULE.resolve("target/web-md-try-it.txt");

  @TempDir
  Path work;

  @Test
  void theDocumentedCommandsShowTheVisitInOrder() throws Exception {
    Requirements.requireExecutable(Path.of("/usr/bin/sqlite3"));
    List<String> blocks = DocBlocks.runBy(WEB_DOC, "ShopJarIT").stream().map(DocBlocks.Block::text).toList();
    assertThat(blocks).as("collector, shop, query").hasSize(3);
    assertThat(blocks.get(0)).contains("java -jar eye-collector/target/eye-collector.jar");
    assertThat(blocks.get(1).trim()).isEqualTo("java -jar examples/target/eye-shop.jar");

    // In the collector's directory: the shop finds its key in eye.db.dev-keys.
    try (QuickStartCollector collector = QuickStartCollector.start(work);
        ChildProcess shop = ChildProcess.javaJar(work, Map.of("EYE_PORT", "0", "EYE_COLLECTOR", collector.endpoint),
            QuickStartCollector.JVM, SHOP_JAR)) {
      String base = shop.awaitLine("listening on ").substring("listening on ".length()).trim();
      assertThat(shop.stdout()).doesNotContain(collector.secret);

      try (HeadlessChromium chromium = HeadlessChromium.start()) {
        ChromeDriver browser = chromium.driver();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get(base + "/");
        assertThat(browser.getPageSource()).doesNotContain(collector.secret, collector.keyId);
        browser.findElement(By.cssSelector("a.card[href='/products/iris-lamp']")).click();
        wait.until(ExpectedConditions.urlContains("/products/iris-lamp"));
        browser.findElement(By.id("buy")).click();
        wait.until(ExpectedConditions.urlContains("/checkout"));
        browser.findElement(By.id("full_name")).sendKeys("Grace Hopper");
        browser.findElement(By.id("email")).sendKeys("grace@example.org");
        browser.findElement(By.id("password")).sendKeys("cobol-1959");
        browser.findElement(By.id("place-order")).click();
        wait.until(ExpectedConditions.urlContains("/thanks"));
        browser.get("about:blank");
      }
      // SIGTERM: the shop delivers what it holds, then exits 0.
      shop.terminate();
      assertThat(shop.awaitExit(60)).as(shop.output()).isZero();
      assertThat(shop.stdout()).as(shop.output()).contains("stopped; every event delivered");

      String out = runQuery(blocks.get(2));
      Files.writeString(QUERY_OUTPUT, out, StandardCharsets.UTF_8);
      List<String> steps = out.lines().skip(2).map(l -> l.split("\\s{2,}")).map(c -> c[1] + " " + c[2]).toList();
      assertThat(steps).containsExactly("pageview /", "pageview /products/iris-lamp", "cta click /products/iris-lamp",
          "pageview /checkout", "submit /checkout", "pageview /thanks");
      assertThat(out).contains("buy now", "[\"product\",\"full_name\",\"email\",\"password\",\"delivery\"")
          .doesNotContain("Grace", "grace@example.org", "cobol-1959");
      try (Connection db = DriverManager.getConnection("jdbc:sqlite:file:" + work.resolve("eye.db") + "?mode=ro");
          ResultSet apps = db.createStatement().executeQuery("SELECT DISTINCT app_id FROM events")) {
        assertThat(apps.next()).isTrue();
        assertThat(apps.getString(1)).isEqualTo("shop");
        assertThat(apps.next()).isFalse();
      }
      collector.stop();
    }
  }

  /** Runs the doc's block with bash in the collector's directory, where {@code eye.db} is. */
  private String runQuery(String block) throws Exception {
    Files.writeString(work.resolve("query.sh"), "set -euo pipefail\n" + block, StandardCharsets.UTF_8);
    Process bash = new ProcessBuilder("bash", "query.sh").directory(work.toFile()).redirectErrorStream(true).start();
    assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.exitValue()).as(out).isZero();
    return out;
  }
}
