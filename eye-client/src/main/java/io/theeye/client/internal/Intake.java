package io.theeye.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.theeye.client.DropReason;
import io.theeye.model.EyeProtocol;
import io.theeye.model.Uuid7;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * The caller's side of the client, {@code track}: it validates the event, stamps and serializes it
 * once, reserves room for it in the {@link Budget} and offers it to the {@link Batcher}'s queue; or it
 * drops it, counted by reason and summarized by the {@link DropReporter}. Never blocks, unless the
 * overflow policy says to wait for room; throws only in strict mode.
 */
final class Intake {

  private static final Logger log = ClientCore.LOG;

  private final ClientConfig config;
  private final Clock clock;
  private final Counters counters;
  private final DropReporter drops;
  private final Budget budget;
  private final Batcher batcher;
  private final Outbox outbox;
  private final boolean listening;
  private final int maxEventJson;
  /** How long track() may wait for room: 0 to drop at once. */
  private final long maxWaitNanos;
  private final AtomicLong nextSeq = new AtomicLong();
  private final AtomicLong lastMicros = new AtomicLong(Long.MIN_VALUE);
  /** track() refuses new events. */
  private volatile boolean closed;

  Intake(ClientConfig config, Counters counters, DropReporter drops, Budget budget, Batcher batcher,
      Outbox outbox, boolean listening) {
    this.outbox = outbox;
    this.config = config;
    this.clock = config.clock();
    this.counters = counters;
    this.drops = drops;
    this.budget = budget;
    this.batcher = batcher;
    this.listening = listening;
    this.maxEventJson = config.maxBatchBytes() - Batcher.ENVELOPE_OVERHEAD;
    this.maxWaitNanos = Saturating.nanos(config.overflow().maxWait());
  }

  /** From now on every event is dropped as {@link DropReason#CLOSED}. */
  void close() {
    closed = true;
    budget.wakeAll();
    if (outbox != null) {
      outbox.wakeAll();
    }
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * Accepts one event or drops it; see {@code EyeClient.track}.
   *
   * @param eventId the caller's id, or {@code null} for a new UUIDv7
   * @param timestamp when it occurred, or {@code null} for now
   */
  boolean track(String eventId, String sessionId, String category, String name, Map<String, ?> data,
      Instant timestamp) {
    if (closed) {
      return drop(DropReason.CLOSED, "the client is closed", null);
    }
    String invalid = invalid(eventId, sessionId, category, name);
    if (invalid != null) {
      return drop(DropReason.INVALID_ARGUMENT, invalid, null);
    }
    if (maxWaitNanos == 0 && budget.isFull()) {
      // Full: refuse before paying for serialization (reserve() re-checks exactly).
      return drop(DropReason.QUEUE_FULL, "the queue is full", null);
    }
    Instant ts = timestamp != null ? timestamp : now();
    long seq = nextSeq.getAndIncrement();
    String id = eventId != null ? eventId : Uuid7.next();
    EventEncoder.Encoded encoded;
    try {
      encoded = EventEncoder.encode(id, sessionId, category, name, data, ts, seq);
    } catch (JsonProcessingException | RuntimeException e) {
      return drop(DropReason.NOT_SERIALIZABLE, "data could not be serialized to JSON: " + describe(e), e);
    }
    if (encoded.dataBytes() > config.maxDataBytes()) {
      return drop(DropReason.PAYLOAD_TOO_LARGE, "data is " + encoded.dataBytes()
          + " bytes serialized; at most " + config.maxDataBytes() + " are allowed", null);
    }
    byte[] json = encoded.json();
    if (json.length > maxEventJson) {
      return drop(DropReason.PAYLOAD_TOO_LARGE, "the event is " + json.length
          + " bytes serialized; a batch holds at most " + maxEventJson, null);
    }
    boolean outboxReserved = false;
    if (outbox != null) {
      int room = outbox.reserve(json.length);
      if (room == 0 && maxWaitNanos > 0) {
        room = awaitOutboxRoom(json.length);
        if (closed) {
          unreserve(room > 0, json.length);
          return drop(DropReason.CLOSED, "the client is closed", null);
        }
      }
      if (room == 0) {
        return drop(DropReason.OUTBOX_FULL, "the outbox is full", null);
      }
      outboxReserved = room > 0;
    }
    int wake = budget.reserve(json.length);
    if (wake < 0 && maxWaitNanos > 0) {
      wake = awaitRoom(json.length);
      if (closed) {
        if (wake >= 0) {
          budget.release(1, json.length);
        }
        unreserve(outboxReserved, json.length);
        return drop(DropReason.CLOSED, "the client is closed", null);
      }
    }
    if (wake < 0) {
      unreserve(outboxReserved, json.length);
      return drop(DropReason.QUEUE_FULL, "the queue is full", null);
    }
    PendingEvent event = listening
        ? new PendingEvent(json, id, sessionId, category, name, ts, seq)
        : new PendingEvent(json, null, null, null, null, null, seq);
    event.outboxReserved = outboxReserved;
    batcher.offer(event);
    // close() may have drained the queue between our check of `closed` and the offer; if the event is
    // still there, nobody will send it, so take it back.
    if (closed && batcher.takeBack(event)) {
      budget.release(1, json.length);
      unreserve(outboxReserved, json.length);
      return drop(DropReason.CLOSED, "the client is closed", null);
    }
    counters.tracked.increment();
    if (wake > 0) {
      batcher.wake();
    }
    return true;
  }

  private void unreserve(boolean reserved, int size) {
    if (reserved) {
      outbox.unreserve(size);
    }
  }

  /** The blocking overflow policy for the outbox: wait for acknowledged room, or until closed. */
  private int awaitOutboxRoom(int size) {
    try {
      return outbox.awaitRoom(size, maxWaitNanos, () -> closed);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** The blocking overflow policy: wait for room, or until closed; an interrupt ends the wait. */
  private int awaitRoom(int size) {
    try {
      return budget.awaitRoom(size, maxWaitNanos, () -> closed);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Counts (and in strict mode throws for) an event refused before it reached {@link #track}. */
  boolean refuse(DropReason reason, String detail) {
    if (closed) {
      return drop(DropReason.CLOSED, "the client is closed", null);
    }
    return drop(reason, detail, null);
  }

  /** What is wrong with the arguments, or {@code null}. */
  private static String invalid(String eventId, String sessionId, String category, String name) {
    if (!validText(sessionId, EyeProtocol.MAX_TEXT_FIELD_LENGTH)) {
      return "sessionId " + problem(sessionId, EyeProtocol.MAX_TEXT_FIELD_LENGTH);
    }
    if (!validText(category, EyeProtocol.MAX_TEXT_FIELD_LENGTH)) {
      return "category " + problem(category, EyeProtocol.MAX_TEXT_FIELD_LENGTH);
    }
    if (!validText(name, EyeProtocol.MAX_TEXT_FIELD_LENGTH)) {
      return "name " + problem(name, EyeProtocol.MAX_TEXT_FIELD_LENGTH);
    }
    if (eventId != null && !validText(eventId, EyeProtocol.MAX_EVENT_ID_LENGTH)) {
      return "eventId " + problem(eventId, EyeProtocol.MAX_EVENT_ID_LENGTH);
    }
    return null;
  }

  private static boolean validText(String s, int maxCodePoints) {
    if (s == null || s.isBlank()) {
      return false;
    }
    return s.length() <= maxCodePoints || s.codePointCount(0, s.length()) <= maxCodePoints;
  }

  private static String problem(String s, int max) {
    if (s == null) {
      return "is null";
    }
    if (s.isBlank()) {
      return "is blank";
    }
    return "is longer than " + max + " characters";
  }

  /**
   * Now, never earlier than the last stamp this client made, so that events tracked one after another
   * keep their order even if the wall clock steps back.
   */
  private Instant now() {
    Instant now = clock.instant();
    long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    long last = lastMicros.getAndAccumulate(micros, Math::max);
    if (micros >= last) {
      return now;
    }
    return Instant.ofEpochSecond(Math.floorDiv(last, 1_000_000L), Math.floorMod(last, 1_000_000L) * 1000);
  }

  /** An exception's class and the first line of its message (Jackson's run to several). */
  private static String describe(Throwable e) {
    String message = e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    int eol = message.indexOf('\n');
    return e.getClass().getSimpleName() + ": " + (eol < 0 ? message : message.substring(0, eol));
  }

  private boolean drop(DropReason reason, String detail, Throwable cause) {
    counters.drop(reason);
    boolean full = reason == DropReason.QUEUE_FULL || reason == DropReason.OUTBOX_FULL;
    if (!full && reason != DropReason.CLOSED) {
      drops.note(reason, detail);
    }
    if (config.strict()) {
      String message = "event dropped (" + reason.code() + "): " + detail;
      if (full || reason == DropReason.CLOSED) {
        throw new IllegalStateException(message, cause);
      }
      throw new IllegalArgumentException(message, cause);
    }
    if (log.isDebugEnabled()) {
      log.debug("dropped an event ({}): {}", reason.code(), detail, cause);
    }
    if (batcher.isStopping()) {
      // The sender, which reports drops, is gone.
      drops.maybeReport();
    }
    return false;
  }
}
