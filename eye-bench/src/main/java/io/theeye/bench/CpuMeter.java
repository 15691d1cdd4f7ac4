package io.theeye.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time from Linux's {@code /proc}, to tell a slow program from a starved one: how many cores the
 * collector and the load generator used over a phase, and how busy the whole machine was (other
 * tenants included). Figures are {@code NaN} where {@code /proc} is not available.
 */
final class CpuMeter {

  /** Linux's USER_HZ, the unit of /proc CPU times; 100 on every mainstream kernel. */
  private static final double TICKS_PER_SECOND = 100.0;

  /** A reading: process ticks per pid, machine busy and total ticks, iowait ticks, wall time. */
  record Reading(long[] processTicks, long machineBusy, long machineTotal, long ioWait, long nanos) {}

  private final long[] pids;

  CpuMeter(long... pids) {
    this.pids = pids.clone();
  }

  Reading read() {
    long[] ticks = new long[pids.length];
    for (int i = 0; i < pids.length; i++) {
      ticks[i] = processTicks(pids[i]);
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
    return new Reading(ticks, busy, total, ioWait, System.nanoTime());
  }

  /** Cores used by process {@code index} between two readings. */
  static double cores(Reading from, Reading to, int index) {
    if (from.processTicks()[index] < 0 || to.processTicks()[index] < 0) {
      return Double.NaN;
    }
    double seconds = (to.nanos() - from.nanos()) / 1e9;
    return (to.processTicks()[index] - from.processTicks()[index]) / TICKS_PER_SECOND / seconds;
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
