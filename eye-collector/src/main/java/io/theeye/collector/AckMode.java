package io.theeye.collector;

/** When the collector answers {@code 202}: after the commit ({@link #DURABLE}) or once queued. */
public enum AckMode {
  /** The 202 is sent only after everything the request produced is committed (the default). */
  DURABLE,
  /**
   * The 202 is sent once the request is in the in-memory queue. Faster, but a crash loses what was
   * queued, and the 202 cannot yet know about duplicates of events stored by earlier requests.
   */
  QUEUED
}
