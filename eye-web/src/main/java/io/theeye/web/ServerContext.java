package io.theeye.web;

import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the server sees of a request, added to each event under {@code data.context} in place of
 * anything the browser put there: page script cannot change these headers. The referrer is the page
 * that sent the request, without its query or fragment (they often carry personal data).
 */
final class ServerContext {

  static final String KEY = "context";
  static final int MAX_USER_AGENT = 512;
  static final int MAX_REFERRER = 2048;

  private ServerContext() {}

  static Map<String, Object> of(HttpServletRequest request, boolean captureClientAddress) {
    Map<String, Object> context = new LinkedHashMap<>();
    String userAgent = request.getHeader("User-Agent");
    if (userAgent != null && !userAgent.isEmpty()) {
      context.put("user_agent", truncate(userAgent, MAX_USER_AGENT));
    }
    String referrer = request.getHeader("Referer");
    if (referrer != null && !referrer.isEmpty()) {
      context.put("referrer", truncate(withoutQuery(referrer), MAX_REFERRER));
    }
    if (captureClientAddress) {
      String address = truncatedAddress(request.getRemoteAddr());
      if (address != null) {
        context.put("client_address", address);
      }
    }
    return context;
  }

  static String withoutQuery(String url) {
    int cut = url.length();
    int q = url.indexOf('?');
    int h = url.indexOf('#');
    if (q >= 0) {
      cut = q;
    }
    if (h >= 0 && h < cut) {
      cut = h;
    }
    return url.substring(0, cut);
  }

  /** IPv4 to its /24 ({@code 203.0.113.0}), IPv6 to its /48; {@code null} for anything else. */
  static String truncatedAddress(String address) {
    if (address == null || address.isEmpty()
        || !(address.indexOf(':') >= 0 || address.matches("[0-9.]+"))) {
      return null; // never resolve a host name
    }
    try {
      byte[] bytes = InetAddress.getByName(address).getAddress();
      int keep = bytes.length == 4 ? 3 : 6;
      for (int i = keep; i < bytes.length; i++) {
        bytes[i] = 0;
      }
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
