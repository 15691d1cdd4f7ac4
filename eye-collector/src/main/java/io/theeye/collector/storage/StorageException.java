package io.theeye.collector.storage;

/** The database could not do what was asked; nothing of the failed transaction was committed. */
public class StorageException extends Exception {

  /** With a message and the underlying cause. */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  /** With a message. */
  public StorageException(String message) {
    super(message);
  }
}
