package io.theeye.client.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Named daemon threads, so a client never keeps a JVM alive. Internal, not for public use. */
final class Threads {
  private Threads() {}

  /** Threads named {@code name-1}, {@code name-2}, ..., all daemons. */
  static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
