package io.theeye.model;

/**
 * Names and default limits of The Eye's wire protocol, version 1, in one place.
 *
 * <p>The contract itself is {@code docs/protocol.md}; every constant here is quoted from it.
 */
public final class EyeProtocol {

  /** The ingestion endpoint path. */
  public static final String EVENTS_PATH = "/v1/events";

  /** Header naming the key (of one application) that signed the request. */
  public static final String HEADER_KEY_ID = "X-Eye-Key-Id";

  /** Header carrying {@code t=<unix seconds>,v1=<lowercase hex>}. */
  public static final String HEADER_SIGNATURE = "X-Eye-Signature";

  /** The only accepted media type (a {@code charset=utf-8} parameter is allowed). */
  public static final String CONTENT_TYPE_JSON = "application/json";

  /** The only accepted content encoding besides none. */
  public static final String ENCODING_GZIP = "gzip";

  /** Default maximum request body on the wire: {@value} bytes (1 MiB). */
  public static final int DEFAULT_MAX_WIRE_BYTES = 1 << 20;

  /** Default maximum request body after decompression: {@value} bytes (4 MiB). */
  public static final int DEFAULT_MAX_DECODED_BYTES = 4 << 20;

  /** Default maximum number of events in one request: {@value}. */
  public static final int DEFAULT_MAX_EVENTS_PER_REQUEST = 1000;

  /** Default maximum size of one event's serialized {@code data} object: {@value} bytes (32 KiB). */
  public static final int DEFAULT_MAX_DATA_BYTES = 32 << 10;

  /** Rejected rows keep at most {@value} bytes (64 KiB) of the offending body or event. */
  public static final int MAX_RAW_BYTES = 64 << 10;

  /** Default tolerance, in seconds, between a signature's {@code t} and the collector's clock: {@value}. */
  public static final long DEFAULT_SIGNATURE_WINDOW_SECONDS = 300;

  /** Default tolerance, in seconds, for event timestamps ahead of the collector's clock: {@value}. */
  public static final long DEFAULT_MAX_FUTURE_SKEW_SECONDS = 300;

  /** Maximum length of {@code event_id}: {@value} characters. */
  public static final int MAX_EVENT_ID_LENGTH = 64;

  /** Maximum length of {@code session_id}, {@code category} and {@code name}: {@value} characters. */
  public static final int MAX_TEXT_FIELD_LENGTH = 128;

  private EyeProtocol() {}
}
