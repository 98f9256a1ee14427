package io.fleetpulse.common;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads with readable names, so that a background pool never holds a JVM open. */
public final class DaemonThreads {

  private DaemonThreads() {}

  /** Threads named {@code name-1}, {@code name-2}, ... */
  public static ThreadFactory factory(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** One started daemon thread running {@code runnable}. */
  public static Thread start(String name, Runnable runnable) {
    Thread t = new Thread(runnable, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
