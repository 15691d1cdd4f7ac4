package io.theeye.collector.console;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.CookieImpl;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Deque;
import java.util.Map;
import org.xnio.Options;

/**
 * The admin console: a listener of its own, apart from the ingestion port, serving static pages ({@link
 * Pages}, scripts and a style sheet from this package's {@code static/} resources) over a read-only JSON
 * API ({@link ConsoleApi}). It has its
 * own IO thread and two workers, so its queries never hold a thread that ingestion needs.
 *
 * <p>With a token, every request must carry it: {@code Authorization: Bearer TOKEN}, or the cookie set
 * by opening any page once with {@code ?token=TOKEN}. Tokens are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, in constant time.
 *
 * <p>Internal, not for public use: {@code io.theeye.collector.Collector} starts and stops it.
 */
public final class AdminConsole implements AutoCloseable {

  /** The cookie holding the token once a page was opened with {@code ?token=}: {@value}. */
  public static final String TOKEN_COOKIE = "eye_admin_token";
  /** The query parameter that sets {@link #TOKEN_COOKIE}: {@value}. */
  public static final String TOKEN_PARAMETER = "token";
  private static final String STATIC = "io/theeye/collector/console/static";
  private static final String HOME = "/overview.html";

  private final Undertow server;
  private final ConsoleApi api;
  private final InetSocketAddress address;
  private final String host;

  private AdminConsole(Undertow server, ConsoleApi api, String host) {
    this.server = server;
    this.api = api;
    this.host = host;
    this.address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
  }

  /**
   * Binds the admin listener and starts answering.
   *
   * @throws RuntimeException when the address cannot be bound
   */
  public static AdminConsole start(AdminSettings settings, ConsoleSources sources) {
    ConsoleApi api = new ConsoleApi(sources);
    ResourceHandler files = new ResourceHandler(new ClassPathResourceManager(AdminConsole.class.getClassLoader(), STATIC))
        .setDirectoryListingEnabled(false)
        .setWelcomeFiles();
    HttpHandler pages = new Pages(files);
    HttpHandler routes = exchange -> {
      String path = exchange.getRelativePath();
      if (!Methods.GET.equals(exchange.getRequestMethod()) && !Methods.HEAD.equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
        plain(exchange, 405, "the console is read-only: use GET");
      } else if (path.equals("/") || path.isEmpty()) {
        redirect(exchange, HOME);
      } else if (path.startsWith("/api/")) {
        api.handleRequest(exchange);
      } else {
        pages.handleRequest(exchange);
      }
    };
    HttpHandler root = secured(settings.token() == null ? null : digest(settings.token()), routes);
    Undertow server = Undertow.builder()
        .addHttpListener(settings.port(), settings.host())
        .setIoThreads(1)
        .setWorkerThreads(2)
        .setWorkerOption(Options.WORKER_NAME, "eye-console")
        .setHandler(root)
        .build();
    try {
      server.start();
    } catch (RuntimeException e) {
      api.close();
      Throwable cause = rootCause(e);
      String message = "cannot start the admin console on " + settings.host() + ":" + settings.port() + ": "
          + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
      // Like the ingestion port: an address in use is an I/O failure (exit 1), not a bad setting.
      throw cause instanceof java.io.IOException io ? new java.io.UncheckedIOException(message, io)
          : new IllegalStateException(message, e);
    }
    return new AdminConsole(server, api, settings.host());
  }

  /** Security headers on every answer, then the token check, then {@code next}. */
  private static HttpHandler secured(byte[] tokenDigest, HttpHandler next) {
    return exchange -> {
      var headers = exchange.getResponseHeaders();
      headers.put(new HttpString("Content-Security-Policy"),
          "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
      headers.put(new HttpString("X-Content-Type-Options"), "nosniff");
      headers.put(new HttpString("Referrer-Policy"), "no-referrer");
      headers.put(Headers.CACHE_CONTROL, "no-store");
      if (tokenDigest == null) {
        next.handleRequest(exchange);
        return;
      }
      String fromQuery = first(exchange.getQueryParameters(), TOKEN_PARAMETER);
      if (fromQuery != null && MessageDigest.isEqual(tokenDigest, digest(fromQuery))) {
        // Keep it in a cookie and drop it from the address bar (and from the history).
        exchange.setResponseCookie(new CookieImpl(TOKEN_COOKIE, fromQuery)
            .setHttpOnly(true).setPath("/").setSameSiteMode("Strict"));
        redirect(exchange, exchange.getRequestPath());
        return;
      }
      String presented = presentedToken(exchange);
      if (presented == null || !MessageDigest.isEqual(tokenDigest, digest(presented))) {
        headers.put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"eye-admin\"");
        plain(exchange, 401, "The Eye's admin console needs its token: open this page once with ?token=TOKEN,"
            + " or send Authorization: Bearer TOKEN.");
        return;
      }
      next.handleRequest(exchange);
    };
  }

  private static String presentedToken(HttpServerExchange exchange) {
    String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    var cookie = exchange.getRequestCookie(TOKEN_COOKIE);
    return cookie == null ? null : cookie.getValue();
  }

  private static String first(Map<String, Deque<String>> parameters, String name) {
    Deque<String> values = parameters.get(name);
    return values == null ? null : values.peekFirst();
  }

  static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  private static void redirect(HttpServerExchange exchange, String location) {
    exchange.setStatusCode(303);
    exchange.getResponseHeaders().put(Headers.LOCATION, location);
    exchange.endExchange();
  }

  private static void plain(HttpServerExchange exchange, int status, String text) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    exchange.getResponseSender().send(text + "\n");
  }

  private static Throwable rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root;
  }

  /** The port the console is bound to. */
  public int port() {
    return address.getPort();
  }

  /** {@code http://host:port/}, with an IPv6 host in brackets. */
  public URI uri() {
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
  }

  /** Stops the listener and closes the read-only connection. */
  @Override
  public void close() {
    server.stop();
    api.close();
  }
}
