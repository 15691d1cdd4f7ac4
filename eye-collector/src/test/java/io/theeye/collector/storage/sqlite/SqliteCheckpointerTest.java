package io.theeye.collector.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SqliteCheckpointerTest {

  @TempDir Path dir;

  @Test
  @Timeout(30)
  void checkpointsEvenWhenTheWriterIsNeverQuiet() throws Exception {
    Path file = dir.resolve("eye.db");
    try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = writer.createStatement()) {
      s.execute("PRAGMA journal_mode = WAL");
      s.execute("PRAGMA wal_autocheckpoint = 0");
      s.execute("CREATE TABLE t (v TEXT)");
      s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)"
          + " INSERT INTO t SELECT hex(randomblob(100)) FROM n");
      try (SqliteCheckpointer checkpointer = new SqliteCheckpointer(file, "NORMAL", 64 << 20, new ReentrantLock())) {
        // No writerQuiet() ever: each checkpoint waits one more interval for a quiet moment, then runs.
        await().atMost(Duration.ofSeconds(10)).until(() -> checkpointer.passiveCheckpoints() >= 2);
        assertThat(checkpointer.failures()).isZero();
      }
    }
  }
}
