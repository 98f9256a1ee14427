package io.fleetpulse.devstack;

import java.util.concurrent.TimeUnit;

/** Stops the server processes that devstack starts, politely first and for sure in the end. */
public final class ServerProcesses {

  private ServerProcesses() {}

  /** SIGTERM, then a kill if the process is still there after 10 s; returns when it is gone. */
  public static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
