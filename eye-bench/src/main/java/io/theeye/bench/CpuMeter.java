package io.theeye.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time from Linux's {@code /proc}, to tell a slow program from a starved one: how many cores the
 * collector and the load generator used over a phase, and how busy the whole machine was (other
 * tenants included). Figures are {@code NaN} where {@code /proc} is not available.
 */
final class CpuMeter {

  /** Linux's USER_HZ, the unit of /proc CPU times; 100 on every mainstream kernel. */
  private static final double TICKS_PER_SECOND = 100.0;

  /**
   * A reading: process ticks per pid, bytes each pid had written (to the page cache: {@code wchar}; to
   * storage: {@code write_bytes}), machine busy and total ticks, iowait ticks, wall time.
   */
  record Reading(long[] processTicks, long[] wchar, long[] writeBytes, long machineBusy, long machineTotal,
      long ioWait, long nanos) {}

  private final long[] pids;

  CpuMeter(long... pids) {
    this.pids = pids.clone();
  }

  Reading read() {
    long[] ticks = new long[pids.length];
    long[] wchar = new long[pids.length];
    long[] writeBytes = new long[pids.length];
    for (int i = 0; i < pids.length; i++) {
      ticks[i] = processTicks(pids[i]);
      wchar[i] = ioField(pids[i], "wchar");
      writeBytes[i] = ioField(pids[i], "write_bytes");
    }
    long busy = -1;
    long total = -1;
    long ioWait = -1;
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...
      long idle = Long.parseLong(f[4]);
      ioWait = Long.parseLong(f[5]);
      total = 0;
      for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
        total += Long.parseLong(f[i]);
      }
      busy = total - idle - ioWait;
    } catch (IOException | RuntimeException e) {
      // Not Linux.
    }
    return new Reading(ticks, wchar, writeBytes, busy, total, ioWait, System.nanoTime());
  }

  /** Cores used by process {@code index} between two readings. */
  static double cores(Reading from, Reading to, int index) {
    if (from.processTicks()[index] < 0 || to.processTicks()[index] < 0) {
      return Double.NaN;
    }
    double seconds = (to.nanos() - from.nanos()) / 1e9;
    return (to.processTicks()[index] - from.processTicks()[index]) / TICKS_PER_SECOND / seconds;
  }

  /**
   * Bytes process {@code index} wrote between two readings: {@code written=true} counts what reached
   * the storage layer ({@code write_bytes}), else every byte passed to write calls ({@code wchar},
   * sockets included).
   */
  static long bytesWritten(Reading from, Reading to, int index, boolean storage) {
    long[] a = storage ? from.writeBytes() : from.wchar();
    long[] b = storage ? to.writeBytes() : to.wchar();
    return a[index] < 0 || b[index] < 0 ? -1 : b[index] - a[index];
  }

  /** Share (0..1) of all cores busy between two readings, whoever used them. */
  static double machineBusy(Reading from, Reading to) {
    long total = to.machineTotal() - from.machineTotal();
    return from.machineTotal() < 0 || total <= 0 ? Double.NaN : (double) (to.machineBusy() - from.machineBusy()) / total;
  }

  /** Share (0..1) of all cores idle waiting for I/O between two readings. */
  static double ioWait(Reading from, Reading to) {
    long total = to.machineTotal() - from.machineTotal();
    return from.machineTotal() < 0 || total <= 0 ? Double.NaN : (double) (to.ioWait() - from.ioWait()) / total;
  }

  /** One thread's name and CPU ticks, user and system. */
  record ThreadTicks(String name, long user, long system) {}

  /** CPU ticks per thread of {@code pid}, by thread id, with the thread's (kernel) name. */
  static Map<Long, ThreadTicks> threadTicks(long pid) {
    Map<Long, ThreadTicks> out = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
          out.put(Long.parseLong(task.getFileName().toString()),
              new ThreadTicks(name, Long.parseLong(f[11]), Long.parseLong(f[12])));
        } catch (IOException | RuntimeException e) {
          // The thread ended between the listing and the read.
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux.
    }
    return out;
  }

  /** Cores a thread group used between two readings: in total and in the kernel (system time). */
  record GroupCores(String group, double cores, double systemCores) {}

  /**
   * Cores used per thread group between two {@link #threadTicks} readings, largest first; pool numbers
   * are folded ("XNIO-1 task-3" counts as "XNIO-N task-N"), threads that started in between count from
   * zero.
   */
  static List<GroupCores> threadCores(Map<Long, ThreadTicks> from, Map<Long, ThreadTicks> to, double seconds) {
    Map<String, double[]> groups = new HashMap<>();
    for (var e : to.entrySet()) {
      ThreadTicks before = from.getOrDefault(e.getKey(), new ThreadTicks("", 0, 0));
      ThreadTicks after = e.getValue();
      double[] g = groups.computeIfAbsent(after.name().replaceAll("\\d+", "N"), k -> new double[2]);
      g[0] += (after.user() + after.system() - before.user() - before.system()) / TICKS_PER_SECOND / seconds;
      g[1] += (after.system() - before.system()) / TICKS_PER_SECOND / seconds;
    }
    return groups.entrySet().stream()
        .filter(e -> e.getValue()[0] > 0)
        .map(e -> new GroupCores(e.getKey(), e.getValue()[0], e.getValue()[1]))
        .sorted(Comparator.comparingDouble(GroupCores::cores).reversed())
        .toList();
  }

  private static long ioField(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not permitted.
    }
    return -1;
  }

  private static long processTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
