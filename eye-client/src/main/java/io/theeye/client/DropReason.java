package io.theeye.client;

/**
 * Why {@link EyeClient#track} refused an event. A dropped event is never sent; it is counted under its
 * reason in {@link EyeCounters#dropped()} and summarized in a throttled log line.
 */
public enum DropReason {
  /** The client already holds {@code maxQueueEvents} events or {@code maxQueueBytes} bytes. */
  QUEUE_FULL("queue_full", "the queue is full"),
  /** The {@linkplain EyeClient.Builder#outbox outbox} already holds {@code outboxMaxBytes} bytes. */
  OUTBOX_FULL("outbox_full", "the outbox is full"),
  /** The client was closed. */
  CLOSED("closed", "the client is closed"),
  /** The event's serialized {@code data} is over the per-event limit (32 KiB by default). */
  PAYLOAD_TOO_LARGE("payload_too_large", "their data is over the size limit"),
  /** The {@code data} map holds a value Jackson cannot serialize (or a {@code null} key). */
  NOT_SERIALIZABLE("not_serializable", "their data could not be serialized to JSON"),
  /**
   * The session id, category or name is missing, blank or longer than 128 characters, the explicit
   * timestamp is missing, or an explicit event id is blank or longer than 64 characters.
   */
  INVALID_ARGUMENT("invalid_argument", "an argument was missing, blank or too long");

  private final String code;
  private final String description;

  DropReason(String code, String description) {
    this.code = code;
    this.description = description;
  }

  /** The snake_case code, e.g. {@code queue_full}, as used in logs. */
  public String code() {
    return code;
  }

  /** The end of the sentence "dropped N event(s) because ...". */
  public String description() {
    return description;
  }
}
