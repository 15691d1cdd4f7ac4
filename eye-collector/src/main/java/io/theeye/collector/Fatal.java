package io.theeye.collector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the collector does when the JVM itself fails ({@link OutOfMemoryError}, {@link InternalError}
 * and the other {@link VirtualMachineError}s but {@link StackOverflowError}, which unwinds one thread's
 * stack and leaves the JVM sound): it logs one line and halts with status
 * {@value #EXIT_STATUS}, so that a supervisor (Docker's restart policy, systemd, Kubernetes) starts a
 * fresh process instead of leaving one whose threads may have died. Nothing acknowledged is lost: a
 * durable 202 is sent only after the commit, and senders retry what was not acknowledged.
 *
 * <p>Internal, not for public use.
 */
public final class Fatal {

  /** The exit status after a fatal JVM error: {@value}. */
  public static final int EXIT_STATUS = 70;

  private static final Logger log = LoggerFactory.getLogger(Fatal.class);

  private Fatal() {}

  /** Whether {@code e} leaves the JVM in a state the collector cannot vouch for. */
  public static boolean isFatal(Throwable e) {
    return e instanceof VirtualMachineError && !(e instanceof StackOverflowError);
  }

  /** Logs {@code error} and halts the JVM. */
  public static void stop(VirtualMachineError error) {
    try {
      log.error("fatal JVM error; stopping the collector with status {} so that it can be restarted",
          EXIT_STATUS, error);
    } catch (Throwable ignored) {
      // Logging may itself need memory that is not there; halting matters more.
    } finally {
      Runtime.getRuntime().halt(EXIT_STATUS);
    }
  }

  /** Makes every thread that dies of a {@link VirtualMachineError} stop the process. */
  public static void installHandler() {
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
      if (isFatal(e)) {
        stop((VirtualMachineError) e);
      } else if (previous != null) {
        previous.uncaughtException(thread, e);
      } else {
        log.error("thread {} died", thread.getName(), e);
      }
    });
  }
}
