package io.theeye.web;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The first-party session cookie the snippet and the page-view filter share: its value is the session
 * id, and it expires after the idle timeout, renewed by every event, so a session ends by itself when
 * the person goes quiet. Readable by page script (the snippet sets it too), {@code SameSite=Lax}.
 */
final class SessionCookie {

  /** What a session id the relay accepts looks like (a UUID, or any opaque token of these characters). */
  static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{8,128}");

  private final String name;
  private final int maxAgeSeconds;

  SessionCookie(String name, Duration idleTimeout) {
    this.name = name;
    this.maxAgeSeconds = (int) idleTimeout.toSeconds();
  }

  /** The request's session id, or {@code null} when it has no valid cookie. */
  String read(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return null;
    }
    for (Cookie cookie : cookies) {
      if (name.equals(cookie.getName()) && valid(cookie.getValue())) {
        return cookie.getValue();
      }
    }
    return null;
  }

  /** (Re)sets the cookie to {@code sessionId}, expiring one idle timeout from now. */
  void write(HttpServletRequest request, HttpServletResponse response, String sessionId) {
    // Written as a header: not every container passes Cookie.setAttribute("SameSite", ...) on
    // (Undertow 2.3 drops it). The value is one of SESSION_ID's characters only.
    response.addHeader("Set-Cookie", name + "=" + sessionId + "; Path=/; Max-Age=" + maxAgeSeconds
        + "; SameSite=Lax" + (request.isSecure() ? "; Secure" : ""));
  }

  static String newSessionId() {
    return UUID.randomUUID().toString();
  }

  static boolean valid(String sessionId) {
    return sessionId != null && SESSION_ID.matcher(sessionId).matches();
  }
}
