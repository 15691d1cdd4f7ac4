package io.theeye.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven through Debian's chromedriver with Selenium. Nothing is
 * downloaded: both executables are given by path, so Selenium Manager never runs. Without them a test
 * is skipped on a developer's machine and fails under {@code CI=true} ({@link Requirements}); {@code
 * .ci/run} installs the packages {@code chromium} and {@code chromium-driver}.
 *
 * <pre>{@code
 * try (HeadlessChromium chromium = HeadlessChromium.start()) {
 *   chromium.driver().get("http://127.0.0.1:" + port + "/");
 *   chromium.screenshot(Path.of("docs/images/shop.png"));
 * }
 * }</pre>
 */
public final class HeadlessChromium implements AutoCloseable {

  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final ChromeDriver driver;
  private final Path profile;

  private HeadlessChromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Starts a browser with a fresh profile and a 1280×900 window. */
  public static HeadlessChromium start() {
    return start(1280, 900);
  }

  /** Starts a browser with a fresh profile and a window of the given size (for screenshots). */
  public static HeadlessChromium start(int width, int height) {
    Requirements.requireExecutable(CHROMIUM);
    Requirements.requireExecutable(CHROMEDRIVER);
    Path profile;
    try {
      profile = Files.createTempDirectory("eye-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--user-data-dir=" + profile,
        "--window-size=" + width + "," + height);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    return new HeadlessChromium(driver, profile);
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** Saves a PNG of the current viewport to {@code target}, creating its directory. */
  public Path screenshot(Path target) {
    File png = driver.getScreenshotAs(OutputType.FILE);
    try {
      if (target.getParent() != null) {
        Files.createDirectories(target.getParent());
      }
      Files.copy(png.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      deleteQuietly(profile);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // A profile left in /tmp is harmless.
    }
  }
}
