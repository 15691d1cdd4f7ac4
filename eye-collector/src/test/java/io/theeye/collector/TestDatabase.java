package io.theeye.collector;

import io.theeye.collector.storage.EventStore;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The database an integration test runs its collectors against: SQLite in a temporary directory by
 * default ({@link CollectorTestSupport}), PostgreSQL in a fresh schema ({@link PostgresBackend}).
 */
interface TestDatabase {

  /** The {@code --db} value of the collectors under test. */
  String db();

  /** A connection for assertions, to the database {@link #db()} names. */
  Connection openDatabase() throws SQLException;

  /**
   * Holds the database's write lock until closed, so the collector's writer waits (its queue fills up)
   * without the test touching the collector's code.
   */
  AutoCloseable holdWrites() throws SQLException;

  /** A store on {@link #db()} that gives up quickly when the database is locked. */
  EventStore storeFailingFast();

  /**
   * A store on {@link #db()} that waits long for a locked database, so that a test holding the write
   * lock with {@link #holdWrites()} decides when the writer goes on, however slow the machine.
   */
  EventStore storeWaitingLong();
}
