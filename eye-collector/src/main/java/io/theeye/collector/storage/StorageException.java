package io.theeye.collector.storage;

import java.util.Objects;

/**
 * The database could not do what was asked; nothing of the failed transaction was committed.
 *
 * <p>The store that throws it says what kind of failure it is ({@link #kind()}), in its own dialect's
 * terms, so that the writer can tell a request that breaks a rule of the schema (retry the others
 * without it) from a database that cannot be written now (fail, back off, retry later).
 */
public class StorageException extends Exception {

  /** What a failure says about the transaction that met it. */
  public enum Kind {
    /**
     * The data written was refused (a constraint, a value the database cannot hold): the same rows
     * fail again, other rows may well succeed.
     */
    DATA,
    /**
     * The database cannot be written now (locked, disk full, unreachable, closed): any transaction
     * would fail the same way for a while.
     */
    UNAVAILABLE
  }

  private final Kind kind;

  /** A failure of {@code kind}, with a message and the underlying cause. */
  public StorageException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** A failure of {@code kind}, with a message. */
  public StorageException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** An {@link Kind#UNAVAILABLE} failure with a message and the underlying cause. */
  public StorageException(String message, Throwable cause) {
    this(Kind.UNAVAILABLE, message, cause);
  }

  /** An {@link Kind#UNAVAILABLE} failure with a message. */
  public StorageException(String message) {
    this(Kind.UNAVAILABLE, message);
  }

  /** What kind of failure this is, as the store that threw it classified it. */
  public Kind kind() {
    return kind;
  }

  /** Whether the data written was refused ({@link Kind#DATA}), not the database unavailable. */
  public boolean causedByData() {
    return kind == Kind.DATA;
  }
}
