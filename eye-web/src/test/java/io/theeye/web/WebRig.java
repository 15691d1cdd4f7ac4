package io.theeye.web;

import io.theeye.client.EyeClient;
import io.theeye.collector.Collector;
import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * What the relay's tests run: a real collector on port 0 writing SQLite in a temp directory (with the
 * bundled schemas), a real {@link EyeClient} pointed at it, and an embedded Undertow servlet container
 * with the relay servlet, the page-view filter and a servlet serving the test's HTML pages.
 */
final class WebRig implements AutoCloseable {

  static final String APP = "shop";
  static final String KEY_ID = "shop-web-key-1";
  static final String SECRET = "shop-web-secret-do-not-serve";
  static final Path SCHEMAS = Path.of("..", "schemas");

  final Collector collector;
  final EyeClient client;
  final EyeWeb web;
  final Path db;
  final Map<String, String> pages = new ConcurrentHashMap<>();
  private final Undertow server;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  private WebRig(Path dir, boolean collectorUp, UnaryOperator<EyeClient.Builder> clientOptions,
      UnaryOperator<EyeWeb.Builder> webOptions) throws Exception {
    this.db = dir.resolve("eye.db");
    Collector started = Collector.builder().port(0).db(db).schemas(SCHEMAS).app(APP, KEY_ID, SECRET).start();
    String endpoint = started.uri().toString();
    if (!collectorUp) {
      started.close(); // nothing listens at the endpoint any more
      started = null;
    }
    this.collector = started;
    this.client = clientOptions.apply(EyeClient.builder()
        .endpoint(endpoint).keyId(KEY_ID).secret(SECRET).flushInterval(Duration.ofMillis(50))).build();
    this.web = webOptions.apply(EyeWeb.builder(client)).build();

    DeploymentInfo deployment = Servlets.deployment()
        .setClassLoader(WebRig.class.getClassLoader())
        .setContextPath("/")
        .setDeploymentName("eye-web-test")
        .addServlet(Servlets.servlet("eye", RelayServlet.class,
            new ImmediateInstanceFactory<>((RelayServlet) web.servlet())).addMapping(web.servletMapping()))
        .addServlet(Servlets.servlet("pages", PageServlet.class,
            new ImmediateInstanceFactory<>(new PageServlet(this))).addMapping("/"))
        .addFilter(Servlets.filter("eye-pageviews", EyePageViewFilter.class,
            new ImmediateInstanceFactory<>(web.pageViewFilter())))
        .addFilterUrlMapping("eye-pageviews", "/*", DispatcherType.REQUEST);
    DeploymentManager manager = Servlets.defaultContainer().addDeployment(deployment);
    manager.deploy();
    this.server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(manager.start()).build();
    server.start();
    this.port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  static WebRig start(Path dir) throws Exception {
    return new WebRig(dir, true, b -> b, b -> b);
  }

  static WebRig start(Path dir, UnaryOperator<EyeWeb.Builder> webOptions) throws Exception {
    return new WebRig(dir, true, b -> b, webOptions);
  }

  static WebRig withCollectorDown(Path dir, UnaryOperator<EyeClient.Builder> clientOptions)
      throws Exception {
    return new WebRig(dir, false, clientOptions, b -> b);
  }

  String origin() {
    return "http://127.0.0.1:" + port;
  }

  URI uri(String path) {
    return URI.create(origin() + path);
  }

  /** A page at {@code path} whose body is {@code body}, with the snippet's tag in its head. */
  String page(String path, String body) {
    pages.put(path, "<!doctype html><html><head><meta charset=utf-8><title>" + path + "</title>"
        + web.scriptTag() + "</head><body>" + body + "</body></html>");
    return origin() + path;
  }

  /** A same-origin collect request from a browser page, with this session cookie (or none). */
  HttpResponse<String> collect(String body, String sessionCookie) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri("/eye/collect"))
        .header("Content-Type", "application/json")
        .header("Origin", origin())
        .header("Sec-Fetch-Site", "same-origin")
        .header("User-Agent", "RigBrowser/1.0")
        .header("Referer", origin() + "/checkout?email=john%40example.com#step2")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (sessionCookie != null) {
      request.header("Cookie", "eye_sid=" + sessionCookie);
    }
    return send(request.build());
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Every stored event, in the order it occurred, as column → value. */
  List<Map<String, Object>> events() throws SQLException {
    return query("SELECT event_id, app_id, session_id, category, name, occurred_at, received_at, seq, data"
        + " FROM events ORDER BY occurred_at, seq, id");
  }

  long rejectedCount() throws SQLException {
    return ((Number) query("SELECT count(*) AS n FROM rejected_events").get(0).get("n")).longValue();
  }

  List<Map<String, Object>> query(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<Map<String, Object>> rows = new ArrayList<>();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  @Override
  public void close() throws Exception {
    try {
      server.stop();
      client.close(Duration.ofSeconds(collector == null ? 0 : 10));
    } finally {
      if (collector != null) {
        collector.close();
      }
    }
  }

  /** Serves {@link #pages}; anything else is a 404 page. */
  static final class PageServlet extends HttpServlet {
    private final transient WebRig rig;

    PageServlet(WebRig rig) {
      this.rig = rig;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      String html = rig.pages.get(request.getRequestURI());
      if (request.getRequestURI().equals("/api/data")) {
        response.setContentType("application/json");
        response.getWriter().write("{}");
        return;
      }
      response.setContentType("text/html; charset=utf-8");
      if (html == null) {
        response.setStatus(404);
        html = "<!doctype html><title>not found</title>";
      }
      response.getWriter().write(html);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
      doGet(request, response);
    }
  }
}
