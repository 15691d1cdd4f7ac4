package io.theeye.collector.storage.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy between a collector and PostgreSQL that a test can cut and restore, so connection loss
 * is tested without stopping the shared server. While cut, open connections are closed and new ones
 * are accepted and closed at once (as a server that is down behind a load balancer would look).
 */
public final class TcpProxy implements AutoCloseable {

  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  /** Listens on a free local port and forwards to {@code host:port}. */
  public TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon("test-proxy-accept", this::acceptLoop).start();
  }

  /** The port to connect to instead of the target's. */
  public int port() {
    return server.getLocalPort();
  }

  /** Breaks every open connection and refuses new ones until {@link #restore()}. */
  public void cut() {
    cut = true;
    for (Socket s : open) {
      closeQuietly(s);
    }
  }

  /** Lets connections through again. */
  public void restore() {
    cut = false;
  }

  @Override
  public void close() throws IOException {
    cut();
    server.close();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (cut) {
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket();
        try {
          upstream.connect(new InetSocketAddress(targetHost, targetPort), 2_000);
        } catch (IOException e) {
          closeQuietly(client);
          continue;
        }
        open.add(client);
        open.add(upstream);
        daemon("test-proxy-up", () -> pump(client, upstream)).start();
        daemon("test-proxy-down", () -> pump(upstream, client)).start();
      } catch (IOException e) {
        // the server socket closed: the loop ends
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // a side closed: close both below
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void closeQuietly(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
