package io.theeye.model;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Request signing: {@code X-Eye-Signature: t=<unix seconds>,v1=<lowercase hex>}, where the hex is
 * {@code HMAC-SHA256(secret, "<t>." + body bytes exactly as sent)}.
 *
 * <pre>{@code
 * // sender
 * String header = Signatures.header(secret, clock.instant().getEpochSecond(), body);
 * // collector
 * SignatureVerifier verifier = new SignatureVerifier(Clock.systemUTC(), Duration.ofSeconds(300));
 * boolean ok = verifier.verify(header, secret, body) == SignatureVerifier.Result.VALID;
 * }</pre>
 */
public final class Signatures {

  private static final String ALGORITHM = "HmacSHA256";
  private static final HexFormat HEX = HexFormat.of();

  private Signatures() {}

  /** The lowercase hex HMAC-SHA256 of {@code "<t>." + body} under {@code secret}. */
  public static String sign(byte[] secret, long t, byte[] body) {
    return HEX.formatHex(mac(secret, t, body));
  }

  /** The whole header value {@code t=<t>,v1=<hex>}. */
  public static String header(byte[] secret, long t, byte[] body) {
    return "t=" + t + ",v1=" + sign(secret, t, body);
  }

  static byte[] mac(byte[] secret, long t, byte[] body) {
    Mac mac = newMac(secret);
    Objects.requireNonNull(body, "body");
    return mac(mac, t, body);
  }

  private static byte[] mac(Mac mac, long t, byte[] body) {
    mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
    return mac.doFinal(body);
  }

  private static Mac newMac(byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length == 0) {
      throw new IllegalArgumentException("secret must not be empty");
    }
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret, ALGORITHM));
      return mac;
    } catch (GeneralSecurityException e) {
      // HmacSHA256 is required of every Java platform.
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  /**
   * A signer for a sender that signs many requests with one secret: the provider lookup and the key
   * set-up are done once, and each signature starts from a copy of the prepared MAC.
   *
   * <pre>{@code
   * Signatures.Signer signer = Signatures.signer(secret);
   * String header = signer.header(clock.instant().getEpochSecond(), body);
   * }</pre>
   *
   * @throws IllegalArgumentException when {@code secret} is empty
   */
  public static Signer signer(byte[] secret) {
    return new Signer(secret);
  }

  /**
   * Signs with one secret; thread-safe. It holds key material for its life, as the MAC it prepared
   * must: drop it with the secret.
   */
  public static final class Signer {
    private final byte[] secret;
    private final Mac prototype;

    private Signer(byte[] secret) {
      this.prototype = newMac(secret);
      this.secret = secret;
    }

    /** The header value {@code t=<t>,v1=<hex>}, the same as {@link Signatures#header}. */
    public String header(long t, byte[] body) {
      Objects.requireNonNull(body, "body");
      Mac mac;
      try {
        mac = (Mac) prototype.clone();
      } catch (CloneNotSupportedException e) {
        // A provider whose MAC cannot be copied: set it up afresh, as the static methods do.
        mac = newMac(secret);
      }
      return "t=" + t + ",v1=" + HEX.formatHex(mac(mac, t, body));
    }
  }

  /**
   * Checks signatures for the collector: header syntax, the replay window against an injectable
   * clock, and the MAC, compared in constant time.
   */
  public static final class SignatureVerifier {

    /** What a check found. The collector answers every non-{@code VALID} result the same way. */
    public enum Result {
      /** The signature is well-formed, in the window, and matches. */
      VALID,
      /** The header is missing or not {@code t=<digits>,v1=<64 hex>}. */
      MALFORMED_HEADER,
      /** {@code t} is further from the clock than the window. */
      OUTSIDE_WINDOW,
      /** The MAC does not match this secret and body. */
      BAD_SIGNATURE
    }

    private final Clock clock;
    private final long windowSeconds;

    /**
     * @param clock the collector's clock
     * @param window how far {@code t} may be from the clock, either way; must be positive
     */
    public SignatureVerifier(Clock clock, Duration window) {
      this.clock = Objects.requireNonNull(clock, "clock");
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("window must be positive");
      }
      this.windowSeconds = window.getSeconds();
    }

    /** Verifies {@code headerValue} for {@code body} under {@code secret}. */
    public Result verify(String headerValue, byte[] secret, byte[] body) {
      if (headerValue == null) {
        return Result.MALFORMED_HEADER;
      }
      Long t = null;
      byte[] given = null;
      for (String part : headerValue.split(",", 8)) {
        String p = part.trim();
        if (p.startsWith("t=") && t == null) {
          t = parseSeconds(p.substring(2));
        } else if (p.startsWith("v1=") && given == null) {
          given = parseHex(p.substring(3));
        }
      }
      if (t == null || given == null) {
        return Result.MALFORMED_HEADER;
      }
      long now = clock.instant().getEpochSecond();
      if (Math.abs(now - t) > windowSeconds) {
        return Result.OUTSIDE_WINDOW;
      }
      return MessageDigest.isEqual(mac(secret, t, body), given) ? Result.VALID : Result.BAD_SIGNATURE;
    }

    private static Long parseSeconds(String text) {
      if (text.isEmpty() || text.length() > 12) {
        return null;
      }
      for (int i = 0; i < text.length(); i++) {
        if (text.charAt(i) < '0' || text.charAt(i) > '9') {
          return null;
        }
      }
      return Long.parseLong(text);
    }

    private static byte[] parseHex(String text) {
      if (text.length() != 64) {
        return null;
      }
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
          return null;
        }
      }
      return HEX.parseHex(text);
    }
  }
}
