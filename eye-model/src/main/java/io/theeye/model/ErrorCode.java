package io.theeye.model;

/**
 * The {@code error} member of the collector's error bodies, {@code {"error": "<code>", "message": "..."}}.
 */
public enum ErrorCode {
  /** 400: the body is not one of the accepted shapes. */
  MALFORMED_BODY("malformed_body", 400),
  /** 401: missing or unknown key id, bad signature, or {@code t} outside the window. */
  UNAUTHORIZED("unauthorized", 401),
  /** 404: no such endpoint. */
  NOT_FOUND("not_found", 404),
  /** 405: the endpoint exists but not for this method. */
  METHOD_NOT_ALLOWED("method_not_allowed", 405),
  /** 413: over the wire or decompressed size limit. */
  PAYLOAD_TOO_LARGE("payload_too_large", 413),
  /** 415: wrong content type or content encoding. */
  UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
  /** 500: an unexpected failure inside the collector; nothing was stored. */
  INTERNAL_ERROR("internal_error", 500),
  /** 503: the in-memory queue is full; retry after {@code Retry-After} seconds. */
  OVERLOADED("overloaded", 503),
  /** 503: the collector is stopping; retry after {@code Retry-After} seconds. */
  SHUTTING_DOWN("shutting_down", 503),
  /** 503: the database cannot be written right now; retry after {@code Retry-After} seconds. */
  STORAGE_UNAVAILABLE("storage_unavailable", 503);

  private final String code;
  private final int status;

  ErrorCode(String code, int status) {
    this.code = code;
    this.status = status;
  }

  /** The snake_case code, e.g. {@code unauthorized}. */
  public String code() {
    return code;
  }

  /** The HTTP status that carries this error. */
  public int status() {
    return status;
  }

  /** Returns the error with this code, or {@code null} when the code is not one of ours. */
  public static ErrorCode fromCode(String code) {
    for (ErrorCode e : values()) {
      if (e.code.equals(code)) {
        return e;
      }
    }
    return null;
  }
}
