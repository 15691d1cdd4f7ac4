package io.theeye.collector;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link WireLimitTest} against PostgreSQL. */
class PostgresWireLimitTest extends WireLimitTest {

  @RegisterExtension final PostgresBackend pg = new PostgresBackend();

  @Override
  protected TestDatabase database() {
    return pg;
  }
}
