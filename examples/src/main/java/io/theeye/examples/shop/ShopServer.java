package io.theeye.examples.shop;

import io.theeye.web.EyeWeb;
import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import java.net.InetSocketAddress;

/**
 * The demo shop on an embedded Undertow servlet container, wired to eye-web as any servlet application
 * would be: the relay servlet mapped at {@link EyeWeb#servletMapping()} ({@code /eye/*}) and {@link
 * EyeWeb#scriptTag()} in every page's head.
 *
 * <pre>{@code
 * EyeClient client = EyeClient.builder().endpoint(collector).keyId(keyId).secret(secret).build();
 * try (ShopServer shop = ShopServer.start("127.0.0.1", 0, EyeWeb.builder(client).build())) {
 *   System.out.println("open " + shop.baseUrl());
 * }
 * }</pre>
 */
public final class ShopServer implements AutoCloseable {

  private final Undertow server;
  private final DeploymentManager deployment;
  private final String host;

  private ShopServer(Undertow server, DeploymentManager deployment, String host) {
    this.server = server;
    this.deployment = deployment;
    this.host = host;
  }

  /**
   * Deploys the shop and the relay of {@code web} and starts listening on {@code host:port} ({@code 0}
   * picks a free port).
   */
  public static ShopServer start(String host, int port, EyeWeb web) throws ServletException {
    DeploymentInfo info = Servlets.deployment()
        .setClassLoader(ShopServer.class.getClassLoader())
        .setContextPath("/")
        .setDeploymentName("eye-shop")
        .addServlet(Servlets.servlet("eye", HttpServlet.class, new ImmediateInstanceFactory<>(web.servlet()))
            .addMapping(web.servletMapping()))
        .addServlet(Servlets.servlet("shop", ShopServlet.class,
                new ImmediateInstanceFactory<>(new ShopServlet(web.scriptTag())))
            .addMapping("/"));
    DeploymentManager deployment = Servlets.defaultContainer().addDeployment(info);
    deployment.deploy();
    Undertow server = Undertow.builder()
        .addHttpListener(port, host)
        .setHandler(deployment.start())
        .build();
    try {
      server.start();
    } catch (RuntimeException e) {
      deployment.stop();
      deployment.undeploy();
      throw e;
    }
    return new ShopServer(server, deployment, host);
  }

  /** The port it listens on (the real one when started with port 0). */
  public int port() {
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  /** {@code http://H:N}, without a trailing slash. */
  public String baseUrl() {
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  /** Stops listening and undeploys the servlets; the {@code EyeClient} stays the caller's to close. */
  @Override
  public void close() {
    server.stop();
    try {
      deployment.stop();
    } catch (ServletException e) {
      throw new IllegalStateException("cannot stop the shop's servlets", e);
    } finally {
      deployment.undeploy();
    }
  }
}
