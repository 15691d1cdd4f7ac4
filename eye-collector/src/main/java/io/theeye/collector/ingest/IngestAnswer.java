package io.theeye.collector.ingest;

import io.theeye.model.IngestResult;

/**
 * What {@link Ingest#accept} made of one request body: the transport turns it into a status. Every
 * request gets exactly one.
 */
public sealed interface IngestAnswer {

  /**
   * The body was well-formed; its events were stored (or, in {@code queued} mode, queued), each valid
   * one as an event and each invalid one as a rejected row.
   *
   * @param result the counts for the sender
   */
  record Stored(IngestResult result) implements IngestAnswer {}

  /**
   * The body as a whole was unusable; it was recorded as one {@code malformed_body} rejected row.
   *
   * @param message what the sender should fix
   */
  record Malformed(String message) implements IngestAnswer {}

  /** The writer's queue had no room; nothing of the request was stored. */
  record Overloaded() implements IngestAnswer {}

  /** The collector is stopping; nothing of the request was stored. */
  record ShuttingDown() implements IngestAnswer {}

  /** The database could not commit the request; nothing of it was stored. */
  record StorageUnavailable() implements IngestAnswer {}
}
