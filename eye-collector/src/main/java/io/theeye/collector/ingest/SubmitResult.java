package io.theeye.collector.ingest;

import io.theeye.collector.storage.WriteOutcome;
import java.util.concurrent.CompletableFuture;

/** What {@code EventWriter.submit} did with a request. It never blocks and never throws. */
public sealed interface SubmitResult permits SubmitResult.Queued, SubmitResult.Full, SubmitResult.ShuttingDown {

  /**
   * The request is in the queue.
   *
   * @param committed completes with the outcome once the request is committed, or exceptionally
   *     (with a {@code StorageException}) when its transaction failed
   */
  record Queued(CompletableFuture<WriteOutcome> committed) implements SubmitResult {}

  /** The queue has no room for the whole request; nothing of it was queued. Answer 503 overloaded. */
  record Full() implements SubmitResult {}

  /** The writer is stopping; nothing was queued. Answer 503 shutting_down. */
  record ShuttingDown() implements SubmitResult {}
}
