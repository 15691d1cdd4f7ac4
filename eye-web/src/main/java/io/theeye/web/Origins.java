package io.theeye.web;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a collect request comes from a page of this application (or of an allowed sibling): the
 * browser's {@code Origin} header when it sends one, else its {@code Sec-Fetch-Site}. A request with
 * neither is not from a browser page and is refused.
 */
final class Origins {

  /** What a request's origin check decided. */
  enum Verdict {
    SAME_ORIGIN,
    ALLOWED_SIBLING,
    FORBIDDEN
  }

  private final Set<String> allowed;

  Origins(Set<String> allowed) {
    this.allowed = allowed;
  }

  Verdict check(HttpServletRequest request) {
    String origin = request.getHeader("Origin");
    if (origin != null && !origin.isEmpty() && !"null".equals(origin)) {
      String normalized = normalize(origin);
      if (normalized == null) {
        return Verdict.FORBIDDEN;
      }
      if (sameHostAndPort(normalized, request)) {
        return Verdict.SAME_ORIGIN;
      }
      return allowed.contains(normalized) ? Verdict.ALLOWED_SIBLING : Verdict.FORBIDDEN;
    }
    // No usable Origin: only the fetch metadata can vouch for the request.
    return "same-origin".equals(request.getHeader("Sec-Fetch-Site")) ? Verdict.SAME_ORIGIN : Verdict.FORBIDDEN;
  }

  /**
   * Whether the browser's origin names the host and port it sent this request to (its {@code Host}
   * header). The scheme is the browser's: behind a proxy that ends TLS the container sees {@code http}
   * while the page is {@code https}, and a {@code Host} without a port means the default port of the
   * page's scheme.
   */
  private static boolean sameHostAndPort(String origin, HttpServletRequest request) {
    String host = request.getHeader("Host");
    if (host == null || host.isEmpty()) {
      host = request.getServerName() + ":" + request.getServerPort();
    }
    String scheme = origin.substring(0, origin.indexOf(':'));
    return origin.equals(normalize(scheme + "://" + host));
  }

  /** An allow-list entry, checked: scheme, host and an optional port only. */
  static String normalizeAllowed(String origin) {
    if (origin == null) {
      throw new NullPointerException("allowedOrigins must not contain null");
    }
    String normalized = normalize(origin.trim());
    if (normalized == null || !origin.trim().matches("(?i)https?://[^/?#]+")) {
      throw new IllegalArgumentException(
          "allowedOrigins entries must be origins like https://www.example.com, was " + origin);
    }
    return normalized;
  }

  /** Lower-cased {@code scheme://host[:port]}, the default port left out; {@code null} if not one. */
  static String normalize(String origin) {
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme();
    if (uri.getHost() == null || scheme == null) {
      return null;
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return null;
    }
    int port = uri.getPort();
    boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80)
        || (scheme.equals("https") && port == 443);
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
  }
}
