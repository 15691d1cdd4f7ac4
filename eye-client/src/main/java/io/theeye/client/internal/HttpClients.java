package io.theeye.client.internal;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/** Makes the OkHttp client and the retry scheduler a client uses. Internal, not for public use. */
final class HttpClients {

  /** How long an idle pooled connection is kept: {@value} minutes. */
  static final long KEEP_ALIVE_MINUTES = 5;

  private HttpClients() {}

  /**
   * A client of our own: daemon dispatcher threads (OkHttp's are not), as many pooled connections as
   * batches in flight, Nagle off, and the configured timeouts.
   */
  static OkHttpClient create(ClientConfig config) {
    ThreadPoolExecutor executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), Threads.daemon("eye-client-http"));
    Dispatcher dispatcher = new Dispatcher(executor);
    dispatcher.setMaxRequests(Math.max(64, config.maxInFlightBatches()));
    dispatcher.setMaxRequestsPerHost(config.maxInFlightBatches());
    return new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        .connectionPool(new ConnectionPool(config.maxInFlightBatches(), KEEP_ALIVE_MINUTES, TimeUnit.MINUTES))
        .socketFactory(new NoDelaySocketFactory(SocketFactory.getDefault()))
        // A redirected POST becomes a GET in OkHttp; better to fail with the 3xx, which names the problem.
        .followRedirects(false)
        .connectTimeout(config.connectTimeout())
        .readTimeout(config.requestTimeout())
        .writeTimeout(config.requestTimeout())
        .callTimeout(config.requestTimeout())
        .build();
  }

  /**
   * An injected client, sharing its dispatcher and pool, with Nagle turned off on the sockets it opens
   * for us (its own socket factory still makes them).
   */
  static OkHttpClient adopt(OkHttpClient injected) {
    if (injected.socketFactory() instanceof NoDelaySocketFactory) {
      return injected;
    }
    return injected.newBuilder()
        .socketFactory(new NoDelaySocketFactory(injected.socketFactory()))
        .build();
  }

  /** A scheduler of our own whose one daemon thread exists only while retries are waiting. */
  static ScheduledThreadPoolExecutor retryScheduler() {
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, Threads.daemon("eye-client-retry"));
    s.setRemoveOnCancelPolicy(true);
    s.setKeepAliveTime(10, TimeUnit.SECONDS);
    s.allowCoreThreadTimeOut(true);
    return s;
  }
}
