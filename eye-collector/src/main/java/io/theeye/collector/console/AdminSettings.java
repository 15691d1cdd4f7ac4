package io.theeye.collector.console;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where the admin console listens and the token it asks for. Bound to {@value #DEFAULT_HOST} by
 * default; bound to any other address it requires a token, because its pages show payloads, which may
 * hold personal data.
 *
 * @param host the listen address
 * @param port the port, 0 for any free one
 * @param token the token every request must carry, or {@code null} for none (loopback only)
 */
public record AdminSettings(String host, int port, String token) {

  /** The default listen address: {@value}. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** Checks the settings; a non-loopback host without a token is refused. */
  public AdminSettings {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("admin host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("admin port must be 0-65535, was " + port);
    }
    if (token != null && token.isBlank()) {
      token = null;
    }
    if (token != null && token.getBytes(StandardCharsets.UTF_8).length < 16) {
      throw new IllegalArgumentException("the admin token must be at least 16 bytes long");
    }
    if (token == null && !isLoopback(host)) {
      throw new IllegalArgumentException("the admin console on " + host + " is not a loopback address and"
          + " needs a token: set --admin-token or EYE_ADMIN_TOKEN, or bind it to 127.0.0.1");
    }
  }

  /** A console on {@code host:port} without a token (loopback addresses only). */
  public static AdminSettings loopback(int port) {
    return new AdminSettings(DEFAULT_HOST, port, null);
  }

  /** Whether a token is required. */
  public boolean requiresToken() {
    return token != null;
  }

  /** Whether {@code host} names only loopback addresses (an unresolvable name does not). */
  static boolean isLoopback(String host) {
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "AdminSettings[" + host + ":" + port + (token == null ? ", no token" : ", token set") + "]";
  }
}
