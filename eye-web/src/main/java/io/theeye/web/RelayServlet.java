package io.theeye.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.theeye.client.EyeClient;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The relay: serves the snippet and receives its batches. One collect request reads top to bottom:
 * origin (403) → content type (415) → size (413) → shape (400) → session and address rate (429) →
 * {@link EyeClient#track} each event → 204. {@code track} never blocks, so nothing here waits on the
 * collector.
 */
final class RelayServlet extends HttpServlet {

  static final String SCRIPT = "/eye.js";
  static final String COLLECT = "/collect";
  static final String IMMUTABLE = "public, max-age=31536000, immutable";
  static final String REVALIDATE = "no-cache";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final transient EyeWeb.Settings settings;
  private final transient Snippet snippet;
  private final transient RelayCounters counters;
  private final transient Origins origins;
  private final transient SessionCookie cookie;
  private final transient RateLimits sessionLimits;
  private final transient RateLimits addressLimits;

  RelayServlet(EyeWeb.Settings settings, Snippet snippet, RelayCounters counters) {
    this.settings = settings;
    this.snippet = snippet;
    this.counters = counters;
    this.origins = new Origins(settings.allowedOrigins);
    this.cookie = new SessionCookie(settings.cookieName, settings.sessionIdleTimeout);
    this.sessionLimits = new RateLimits(settings.sessionRate, settings.maxTrackedSessions);
    this.addressLimits = new RateLimits(settings.addressRate, settings.maxTrackedSessions);
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getPathInfo();
    if (SCRIPT.equals(path)) {
      serveScript(request, response, REVALIDATE);
    } else if (("/" + snippet.hashedName()).equals(path)) {
      serveScript(request, response, IMMUTABLE);
    } else {
      error(response, HttpServletResponse.SC_NOT_FOUND, "not_found", "no such resource under the relay");
    }
  }

  private void serveScript(HttpServletRequest request, HttpServletResponse response, String caching)
      throws IOException {
    response.setHeader("Cache-Control", caching);
    response.setHeader("ETag", snippet.etag());
    response.setHeader("Vary", "Accept-Encoding");
    response.setHeader("X-Content-Type-Options", "nosniff");
    String ifNoneMatch = request.getHeader("If-None-Match");
    if (ifNoneMatch != null && (ifNoneMatch.contains(snippet.etag()) || ifNoneMatch.trim().equals("*"))) {
      response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
      return;
    }
    response.setContentType("text/javascript; charset=utf-8");
    byte[] body = snippet.bytes();
    String acceptEncoding = request.getHeader("Accept-Encoding");
    if (acceptEncoding != null && acceptEncoding.toLowerCase(Locale.ROOT).contains("gzip")) {
      response.setHeader("Content-Encoding", "gzip");
      body = snippet.gzipped();
    }
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  @Override
  protected void doOptions(HttpServletRequest request, HttpServletResponse response)
      throws IOException, ServletException {
    if (!COLLECT.equals(request.getPathInfo())) {
      super.doOptions(request, response);
      return;
    }
    // A CORS preflight: only allowed sibling origins get one.
    if (origins.check(request) != Origins.Verdict.ALLOWED_SIBLING) {
      counters.forbidden.increment();
      error(response, HttpServletResponse.SC_FORBIDDEN, "forbidden_origin",
          "this origin may not send events here");
      return;
    }
    allowSibling(request, response);
    response.setHeader("Access-Control-Allow-Methods", "POST");
    response.setHeader("Access-Control-Allow-Headers", "Content-Type");
    response.setHeader("Access-Control-Max-Age", "600");
    response.setStatus(HttpServletResponse.SC_NO_CONTENT);
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (!COLLECT.equals(request.getPathInfo())) {
      error(response, HttpServletResponse.SC_NOT_FOUND, "not_found", "events go to " + settings.prefix + COLLECT);
      return;
    }
    Instant receivedAt = settings.clock.instant();
    Origins.Verdict verdict = origins.check(request);
    if (verdict == Origins.Verdict.FORBIDDEN) {
      counters.forbidden.increment();
      error(response, HttpServletResponse.SC_FORBIDDEN, "forbidden_origin",
          "events are accepted only from this application's own pages");
      return;
    }
    if (verdict == Origins.Verdict.ALLOWED_SIBLING) {
      allowSibling(request, response);
    }
    if (!acceptableType(request.getContentType())) {
      counters.malformed.increment();
      error(response, 415, "unsupported_media_type", "send application/json");
      return;
    }
    byte[] body = readBody(request);
    if (body == null) {
      counters.tooLarge.increment();
      error(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
          "the body is over " + settings.maxBodyBytes + " bytes");
      return;
    }
    String cookieSession = cookie.read(request);
    List<BrowserBatch.BrowserEvent> events;
    try {
      events = BrowserBatch.parse(body, settings.maxEventsPerRequest, cookieSession, receivedAt,
          settings.maxClockCorrection);
    } catch (BrowserBatch.MalformedException e) {
      counters.malformed.increment();
      error(response, HttpServletResponse.SC_BAD_REQUEST, "malformed_body", e.getMessage());
      return;
    }
    String session = cookieSession != null ? cookieSession : events.get(0).sessionId();
    long wait = sessionLimits.tryAcquire(session);
    if (wait == 0) {
      wait = addressLimits.tryAcquire(String.valueOf(request.getRemoteAddr()));
    }
    if (wait > 0) {
      counters.rateLimited.increment();
      response.setHeader("Retry-After", Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait + 999_999_999))));
      error(response, 429, "rate_limited", "too many requests from this session or address");
      return;
    }
    Map<String, Object> context = ServerContext.of(request, settings.captureClientAddress);
    EyeClient client = settings.client;
    for (BrowserBatch.BrowserEvent event : events) {
      counters.eventsAccepted.increment();
      if (!client.track(event.toEyeEvent(context))) {
        counters.eventsDropped.increment();
      }
    }
    counters.requestsAccepted.increment();
    response.setStatus(HttpServletResponse.SC_NO_CONTENT);
  }

  /** The body, or {@code null} when it is over the limit (read no further than one byte past it). */
  private byte[] readBody(HttpServletRequest request) throws IOException {
    long declared = request.getContentLengthLong();
    int max = settings.maxBodyBytes;
    if (declared > max) {
      return null;
    }
    try (InputStream in = request.getInputStream()) {
      byte[] bytes = in.readNBytes(max + 1);
      return bytes.length > max ? null : bytes;
    }
  }

  private static boolean acceptableType(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    int semicolon = type.indexOf(';');
    type = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
    // text/plain: a beacon sent without a type, or a page that avoids preflights.
    return type.equals("application/json") || type.equals("text/plain");
  }

  private static void allowSibling(HttpServletRequest request, HttpServletResponse response) {
    response.setHeader("Access-Control-Allow-Origin", request.getHeader("Origin"));
    response.setHeader("Access-Control-Allow-Credentials", "true");
    response.addHeader("Vary", "Origin");
  }

  private static void error(HttpServletResponse response, int status, String code, String message)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    Map<String, String> answer = new LinkedHashMap<>();
    answer.put("error", code);
    answer.put("message", message);
    byte[] body = JSON.writeValueAsBytes(answer);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
