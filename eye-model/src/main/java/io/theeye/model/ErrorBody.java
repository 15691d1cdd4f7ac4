package io.theeye.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/** An error answer from the collector: {@code {"error": "<code>", "message": "<human text>"}}. */
public record ErrorBody(@JsonProperty("error") String error, @JsonProperty("message") String message) {

  /** Checks that both members are present. */
  public ErrorBody {
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(message, "message");
  }

  /** An error body for one of the protocol's codes. */
  public static ErrorBody of(ErrorCode code, String message) {
    return new ErrorBody(code.code(), message);
  }
}
