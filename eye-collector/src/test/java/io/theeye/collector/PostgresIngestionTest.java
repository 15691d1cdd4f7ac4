package io.theeye.collector;

import io.theeye.collector.storage.EventStore;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link IngestionTest} against PostgreSQL. */
class PostgresIngestionTest extends IngestionTest {

  @RegisterExtension final PostgresBackend pg = new PostgresBackend();

  @Override
  protected String db() {
    return pg.db();
  }

  @Override
  protected Connection openDatabase() throws SQLException {
    return pg.openDatabase();
  }

  @Override
  protected AutoCloseable holdWrites() throws SQLException {
    return pg.holdWrites();
  }

  @Override
  protected EventStore storeFailingFast() {
    return pg.storeFailingFast();
  }

  @Override
  protected EventStore storeWaitingLong() {
    return pg.storeWaitingLong();
  }
}
