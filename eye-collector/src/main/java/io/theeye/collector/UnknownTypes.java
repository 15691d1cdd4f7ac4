package io.theeye.collector;

/** What happens to events whose {@code (category, name)} has no registered schema. */
public enum UnknownTypes {
  /** Store them without payload validation (the default). */
  ACCEPT,
  /** Reject them with reason {@code unknown_event_type}. */
  REJECT
}
