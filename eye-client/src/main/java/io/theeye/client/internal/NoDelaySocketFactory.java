package io.theeye.client.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import javax.net.SocketFactory;

/**
 * Wraps a {@link SocketFactory} so every socket it makes has {@code TCP_NODELAY} on.
 *
 * <p>OkHttp leaves Nagle's algorithm on. A request whose headers and body go out in separate writes
 * then waits for the server's delayed ACK (tens of milliseconds) before the body leaves; on a local
 * network that costs far more than the request itself. Internal, not for public use.
 */
public final class NoDelaySocketFactory extends SocketFactory {

  private final SocketFactory delegate;

  /** Wraps {@code delegate}. */
  public NoDelaySocketFactory(SocketFactory delegate) {
    this.delegate = delegate;
  }

  @Override
  public Socket createSocket() throws IOException {
    return noDelay(delegate.createSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return noDelay(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return noDelay(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return noDelay(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return noDelay(delegate.createSocket(address, port, localAddress, localPort));
  }

  private static Socket noDelay(Socket socket) {
    try {
      socket.setTcpNoDelay(true);
    } catch (SocketException e) {
      // Not a TCP socket (an injected factory may make others): nothing to turn off.
    }
    return socket;
  }
}
