package io.theeye.collector;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ProcessLifecycleTest} against PostgreSQL. */
class PostgresProcessLifecycleTest extends ProcessLifecycleTest {

  @RegisterExtension final PostgresBackend pg = new PostgresBackend();

  @Override
  protected TestDatabase database() {
    return pg;
  }
}
