package io.fleetpulse.devstack.sim;

import io.fleetpulse.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code ./fleetpulse simulate}: runs a simulated fleet against an MQTT broker until stopped. */
public final class SimulatorMain {

  private SimulatorMain() {}

  public static void main(String[] args) throws Exception {
    SimulatorConfig config;
    try {
      config = SimulatorConfig.load(withFlagValues(args), System.getenv());
    } catch (ConfigException e) {
      System.err.println("fleetpulse simulate: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stop = new CountDownLatch(1);
    try (DeviceSimulator simulator = new DeviceSimulator(config)) {
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      simulator.start();
      System.out.printf(
          "fleetpulse simulate: %d devices on %s:%d%s, one report every %d ms each%s%s%s%n",
          config.devices,
          config.host,
          config.port,
          config.tls ? " (TLS)" : "",
          config.intervalMillis(),
          config.anomalies ? ", anomalies on" : "",
          config.offlineFraction > 0 ? ", offline fraction " + config.offlineFraction : "",
          config.historyUpload ? ", history uploaded after a silence" : "");
      long end =
          config.runFor.isZero() ? Long.MAX_VALUE : System.nanoTime() + config.runFor.toNanos();
      long every = config.reportInterval.isZero() ? 1000 : config.reportInterval.toMillis();
      while (System.nanoTime() < end
          && !stop.await(Math.min(every, remainingMillis(end)), TimeUnit.MILLISECONDS)) {
        if (!config.reportInterval.isZero()) {
          System.out.println(simulator.stats().summary());
        }
      }
      System.out.println("fleetpulse simulate: stopping; " + simulator.stats().summary());
    }
  }

  private static long remainingMillis(long endNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(endNanos - System.nanoTime()));
  }

  /** {@code --anomalies} or {@code --history-upload} alone (a flag) means {@code ... true}. */
  static String[] withFlagValues(String[] args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      out.add(args[i]);
      boolean last = i + 1 >= args.length || args[i + 1].startsWith("--");
      if ((args[i].equals("--anomalies") || args[i].equals("--history-upload")) && last) {
        out.add("true");
      }
    }
    return out.toArray(String[]::new);
  }
}
