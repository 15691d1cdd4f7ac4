package io.theeye.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The browser the browser tests rely on starts, runs a page's script, clicks and takes a picture. */
class HeadlessChromiumTest {

  private static final String PAGE =
      "<!doctype html><title>t</title><button id=b onclick=\"document.getElementById('o')"
          + ".textContent='clicked'\">Go</button><p id=o>waiting</p>";

  @Test
  @Timeout(120)
  void clicksAButtonOnALocalPageAndTakesAScreenshot(@TempDir Path dir) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try (HeadlessChromium chromium = HeadlessChromium.start(400, 300)) {
      chromium.driver().get("http://127.0.0.1:" + server.getAddress().getPort() + "/");
      chromium.driver().findElement(By.id("b")).click();
      new WebDriverWait(chromium.driver(), java.time.Duration.ofSeconds(10))
          .until(ExpectedConditions.textToBe(By.id("o"), "clicked"));

      Path png = chromium.screenshot(dir.resolve("page.png"));
      byte[] bytes = Files.readAllBytes(png);
      assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
    } finally {
      server.stop(0);
    }
  }
}
