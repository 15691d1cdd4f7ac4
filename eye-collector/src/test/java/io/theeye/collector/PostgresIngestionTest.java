package io.theeye.collector;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link IngestionTest} against PostgreSQL. */
class PostgresIngestionTest extends IngestionTest {

  @RegisterExtension final PostgresBackend pg = new PostgresBackend();

  @Override
  protected TestDatabase database() {
    return pg;
  }

  @Override
  protected boolean storesNulCharacters() {
    return false;
  }
}
