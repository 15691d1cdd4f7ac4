package io.theeye.collector.http;

import io.theeye.collector.ApplicationKey;
import io.theeye.model.Signatures.SignatureVerifier;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The configured keys by key id, and the one place requests are authenticated. Every failure gets a
 * cause for the metrics; the HTTP answer is the same for all of them.
 */
final class KeyRing {

  /** Why a request could not be authenticated: a fixed metric label each. */
  enum Failure {
    MISSING_KEY_ID("missing_key_id"),
    UNKNOWN_KEY_ID("unknown_key_id"),
    MISSING_SIGNATURE("missing_signature"),
    MALFORMED_SIGNATURE("malformed_signature"),
    OUTSIDE_WINDOW("outside_window"),
    BAD_SIGNATURE("bad_signature");

    final String label;

    Failure(String label) {
      this.label = label;
    }
  }

  /**
   * The outcome: an application id, or a failure.
   *
   * @param appId the authenticated application, or {@code null}
   * @param keyId the configured key it authenticated with, or {@code null}
   * @param failure why not, or {@code null}
   */
  record Authentication(String appId, String keyId, Failure failure) {
    static Authentication failed(Failure failure) {
      return new Authentication(null, null, failure);
    }

    boolean ok() {
      return appId != null;
    }
  }

  private record Entry(String appId, String keyId, byte[] secret) {
    @Override
    public String toString() {
      return "Entry[" + appId + ", secret=<redacted>]";
    }
  }

  private final Map<String, Entry> byKeyId = new HashMap<>();
  private final SignatureVerifier verifier;

  KeyRing(List<ApplicationKey> keys, Clock clock, Duration signatureWindow) {
    for (ApplicationKey key : keys) {
      Entry previous = byKeyId.put(key.keyId(), new Entry(key.appId(), key.keyId(), key.secret()));
      if (previous != null) {
        throw new IllegalArgumentException("key id '" + key.keyId() + "' is configured twice");
      }
    }
    this.verifier = new SignatureVerifier(clock, signatureWindow);
  }

  /** Checks the key id and the signature over the body bytes exactly as received. */
  Authentication authenticate(String keyId, String signature, byte[] body) {
    if (keyId == null || keyId.isBlank()) {
      return Authentication.failed(Failure.MISSING_KEY_ID);
    }
    Entry entry = byKeyId.get(keyId.trim());
    if (entry == null) {
      return Authentication.failed(Failure.UNKNOWN_KEY_ID);
    }
    if (signature == null) {
      return Authentication.failed(Failure.MISSING_SIGNATURE);
    }
    return switch (verifier.verify(signature, entry.secret(), body)) {
      case VALID -> new Authentication(entry.appId(), entry.keyId(), null);
      case MALFORMED_HEADER -> Authentication.failed(Failure.MALFORMED_SIGNATURE);
      case OUTSIDE_WINDOW -> Authentication.failed(Failure.OUTSIDE_WINDOW);
      case BAD_SIGNATURE -> Authentication.failed(Failure.BAD_SIGNATURE);
    };
  }

  @Override
  public String toString() {
    return "KeyRing[" + byKeyId.size() + " keys]";
  }
}
