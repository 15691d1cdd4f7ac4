package io.theeye.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.theeye.testsupport.ChildProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The collector's startup errors, as an operator sees them: one line naming the address or the path. */
@Timeout(120)
class StartupErrorsTest {

  @TempDir Path tempDir;

  private ChildProcess start(String... args) throws Exception {
    return ChildProcess.javaMain(tempDir, List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
        CollectorMain.class, args);
  }

  @Test
  void portInUseNamesTheAddressAndLeavesNoDatabase() throws Exception {
    Path db = tempDir.resolve("fresh.db");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      try (ChildProcess child = start("--host", "127.0.0.1", "--port", "" + port, "--db", db.toString(),
          "--app", "shop:shop-key-1:a-long-random-secret")) {
        int exit = child.awaitExit(60);
        String output = child.output();
        assertThat(exit).as(output).isNotZero();
        assertThat(output).contains("cannot listen on 127.0.0.1:" + port + ": address already in use");
        assertThat(output).doesNotContain("BindException").doesNotContain("\tat ");
        assertThat(output).doesNotContain(CollectorMain.LISTENING_PREFIX);
      }
    }
    assertThat(db).doesNotExist();
    assertThat(tempDir.resolve("fresh.db-wal")).doesNotExist();
    assertThat(tempDir.resolve("fresh.db-shm")).doesNotExist();
  }

  @Test
  void missingDatabaseDirectoryNamesThePathAndTheDirectory() throws Exception {
    Path missing = tempDir.resolve("x").resolve("y");
    Path db = missing.resolve("eye.db");
    try (ChildProcess child = start("--port", "0", "--db", db.toString(),
        "--app", "shop:shop-key-1:a-long-random-secret")) {
      int exit = child.awaitExit(60);
      String output = child.output();
      assertThat(exit).as(output).isNotZero();
      assertThat(output).contains("cannot open database " + db + ": directory " + missing + " does not exist");
      assertThat(output).doesNotContain("SQLITE_CANTOPEN").doesNotContain("\tat ");
    }
    assertThat(tempDir.resolve("x")).doesNotExist();
  }
}
