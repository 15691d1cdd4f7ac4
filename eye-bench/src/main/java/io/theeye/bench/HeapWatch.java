package io.theeye.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Watches this JVM's heap: the peak of "heap used" sampled every 5 ms (live objects plus garbage not
 * yet collected), and the peak occupancy right after a collection (what the program really retained).
 */
final class HeapWatch implements AutoCloseable {

  private final AtomicLong peakUsed = new AtomicLong();
  private final AtomicLong peakAfterGc = new AtomicLong();
  private final Set<String> heapPools = new HashSet<>();
  private final Thread sampler;
  private volatile boolean running = true;

  HeapWatch() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
          return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        long after = 0;
        long before = 0;
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
          if (heapPools.contains(e.getKey())) {
            after += e.getValue().getUsed();
          }
        }
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageBeforeGc().entrySet()) {
          if (heapPools.contains(e.getKey())) {
            before += e.getValue().getUsed();
          }
        }
        if (running) {
          peakAfterGc.accumulateAndGet(after, Math::max);
          peakUsed.accumulateAndGet(before, Math::max);
        }
      }, null, null);
    }
    var memory = ManagementFactory.getMemoryMXBean();
    sampler = new Thread(() -> {
      while (running) {
        peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "eye-bench-heap-watch");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Peak heap used (sampled, includes uncollected garbage), bytes. */
  long peakUsed() {
    return peakUsed.get();
  }

  /** Peak heap occupancy right after a collection, bytes; 0 when no collection happened. */
  long peakAfterGc() {
    return peakAfterGc.get();
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }
}
