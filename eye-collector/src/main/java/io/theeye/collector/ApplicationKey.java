package io.theeye.collector;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One signing key of one application: {@code APP_ID:KEY_ID:SECRET}. An application may have several
 * keys at once, which is how a key is rotated without downtime.
 *
 * <p>The secret is the UTF-8 bytes of the text after the second colon, used as the HMAC key as is. It
 * never appears in {@link #toString()}, in a log line, an exception message or a metric.
 */
public final class ApplicationKey {

  /** The longest application id or key id accepted: {@value} characters. */
  public static final int MAX_ID_LENGTH = 128;

  private final String appId;
  private final String keyId;
  private final byte[] secret;

  /**
   * A key.
   *
   * @param appId the application, 1–128 characters without {@code :} or whitespace
   * @param keyId the key's id as sent in {@code X-Eye-Key-Id}, same rules
   * @param secret the shared secret, not empty
   */
  public ApplicationKey(String appId, String keyId, byte[] secret) {
    this.appId = checkId("app id", appId);
    this.keyId = checkId("key id", keyId);
    Objects.requireNonNull(secret, "secret");
    if (secret.length == 0) {
      throw new IllegalArgumentException("the secret of key '" + keyId + "' must not be empty");
    }
    this.secret = secret.clone();
  }

  /**
   * Parses {@code APP_ID:KEY_ID:SECRET}; the secret may itself contain colons. The error message
   * never repeats the secret.
   */
  public static ApplicationKey parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    String[] parts = spec.split(":", 3);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
      throw new IllegalArgumentException(
          "an application key must be APP_ID:KEY_ID:SECRET with all three parts non-empty");
    }
    return new ApplicationKey(parts[0], parts[1], parts[2].getBytes(StandardCharsets.UTF_8));
  }

  private static String checkId(String what, String id) {
    Objects.requireNonNull(id, what);
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException(what + " must be 1-" + MAX_ID_LENGTH + " characters");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException(what + " '" + id + "' must not contain ':', spaces or control characters");
      }
    }
    return id;
  }

  /** The application this key belongs to. */
  public String appId() {
    return appId;
  }

  /** The key's id, as sent in {@code X-Eye-Key-Id}. */
  public String keyId() {
    return keyId;
  }

  /** A copy of the secret. */
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApplicationKey k
        && appId.equals(k.appId) && keyId.equals(k.keyId) && Arrays.equals(secret, k.secret);
  }

  @Override
  public int hashCode() {
    return Objects.hash(appId, keyId);
  }

  /** {@code app/key} and never the secret. */
  @Override
  public String toString() {
    return "ApplicationKey[app=" + appId + ", key=" + keyId + ", secret=<redacted>]";
  }
}
