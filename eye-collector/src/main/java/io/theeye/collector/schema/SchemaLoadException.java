package io.theeye.collector.schema;

/** A schema file could not be used; the message names the file and what is wrong with it. */
public class SchemaLoadException extends RuntimeException {

  /** With a message naming the file. */
  public SchemaLoadException(String message) {
    super(message);
  }

  /** With a message naming the file and the underlying cause. */
  public SchemaLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
