package io.theeye.testsupport;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one rule for what a test needs from the machine (a server, a tool): without it the test is
 * skipped on a developer's machine, and fails when the environment variable {@code CI} is {@code true},
 * where a skipped test would be a failure in disguise.
 */
public final class Requirements {

  private Requirements() {}

  /** Returns when {@code available}; else fails under CI and skips elsewhere, saying {@code missing}. */
  public static void require(boolean available, String missing) {
    if (available) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(missing + " and CI=true: under CI this test must run, not skip");
    }
    assumeTrue(false, missing);
  }

  /** {@link #require} an executable file, e.g. Debian's {@code /usr/bin/sqlite3}. */
  public static void requireExecutable(Path executable) {
    require(Files.isExecutable(executable), "there is no executable " + executable);
  }
}
