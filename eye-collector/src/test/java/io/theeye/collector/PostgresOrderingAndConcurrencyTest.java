package io.theeye.collector;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link OrderingAndConcurrencyTest} against PostgreSQL. */
class PostgresOrderingAndConcurrencyTest extends OrderingAndConcurrencyTest {

  @RegisterExtension final PostgresBackend pg = new PostgresBackend();

  @Override
  protected TestDatabase database() {
    return pg;
  }
}
