package io.theeye.collector;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link LifecycleTest} against PostgreSQL. */
class PostgresLifecycleTest extends LifecycleTest {

  @RegisterExtension final PostgresBackend pg = new PostgresBackend();

  @Override
  protected TestDatabase database() {
    return pg;
  }
}
