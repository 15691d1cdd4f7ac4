package io.theeye.web;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Tracks a {@code page interaction / pageview} for each HTML page the application serves, with the
 * page's host and path, its status, how long it took ({@code duration_ms}) and {@code "source":
 * "server"}, under the snippet's session cookie (set here when the browser has none yet), so the
 * server's page views and the snippet's clicks join into one session. Get it from {@link
 * EyeWeb#pageViewFilter()} and map it at {@code /*}; nothing is tracked on the server without it.
 *
 * <p>Only {@code GET} navigations count (the browser asked for HTML), never the relay's own paths, and
 * only when the answer is {@code text/html}. If the snippet is on the same pages it tracks its own
 * page views too: tell them apart by {@code json_extract(data, '$.source')}.
 */
public final class EyePageViewFilter extends HttpFilter {

  private final transient EyeWeb.Settings settings;
  private final transient RelayCounters counters;
  private final transient SessionCookie cookie;

  EyePageViewFilter(EyeWeb.Settings settings, RelayCounters counters) {
    this.settings = settings;
    this.counters = counters;
    this.cookie = new SessionCookie(settings.cookieName, settings.sessionIdleTimeout);
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!isPageNavigation(request)) {
      chain.doFilter(request, response);
      return;
    }
    String session = cookie.read(request);
    if (session == null) {
      session = SessionCookie.newSessionId();
    }
    // Renewed before the page is written: afterwards the response may be committed.
    cookie.write(request, response, session);
    long start = System.nanoTime();
    String sessionId = session;
    try {
      chain.doFilter(request, response);
    } finally {
      if (request.isAsyncStarted()) {
        request.getAsyncContext().addListener(new AsyncListener() {
          @Override
          public void onComplete(AsyncEvent event) {
            track(request, response, sessionId, start);
          }

          @Override
          public void onTimeout(AsyncEvent event) {}

          @Override
          public void onError(AsyncEvent event) {}

          @Override
          public void onStartAsync(AsyncEvent event) {}
        });
      } else {
        track(request, response, sessionId, start);
      }
    }
  }

  private boolean isPageNavigation(HttpServletRequest request) {
    if (!"GET".equals(request.getMethod())) {
      return false;
    }
    String path = path(request);
    if (path.equals(settings.prefix) || path.startsWith(settings.prefix + "/")) {
      return false;
    }
    String dest = request.getHeader("Sec-Fetch-Dest");
    if (dest != null) {
      return dest.equals("document");
    }
    String accept = request.getHeader("Accept");
    return accept != null && accept.contains("text/html");
  }

  private void track(HttpServletRequest request, HttpServletResponse response, String session,
      long start) {
    String type = response.getContentType();
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("text/html")) {
      return;
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("host", request.getServerName());
    data.put("path", request.getRequestURI());
    data.put("status", response.getStatus());
    data.put("duration_ms", (System.nanoTime() - start) / 1_000_000);
    data.put("source", "server");
    data.put(ServerContext.KEY, ServerContext.of(request, settings.captureClientAddress));
    counters.pageViews.increment();
    settings.client.track(session, "page interaction", "pageview", data);
  }

  private static String path(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    return context != null && uri.startsWith(context) ? uri.substring(context.length()) : uri;
  }
}
