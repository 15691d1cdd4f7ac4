package io.theeye.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of a {@code 202}: {@code {"received": n, "accepted": a, "rejected": r, "duplicates": d}},
 * where {@code received = accepted + rejected + duplicates}.
 */
public record IngestResult(
    @JsonProperty("received") int received,
    @JsonProperty("accepted") int accepted,
    @JsonProperty("rejected") int rejected,
    @JsonProperty("duplicates") int duplicates) {

  /** Validates the counts and their sum. */
  public IngestResult {
    if (accepted < 0 || rejected < 0 || duplicates < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
    if (received != accepted + rejected + duplicates) {
      throw new IllegalArgumentException(
          "received (" + received + ") must equal accepted + rejected + duplicates ("
              + (accepted + rejected + duplicates) + ")");
    }
  }
}
