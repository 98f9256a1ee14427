package io.fleetpulse.devstack.sim;

import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A fleet of virtual devices over MQTT ({@code ./fleetpulse simulate}, the demo, end-to-end tests):
 * each device has its own connection, plausible signals, the flaws of real devices, its shadow and
 * command acknowledgements; optionally injected anomalies and devices that go silent.
 */
public final class DeviceSimulator implements AutoCloseable {

  /** Sites the devices are spread over (registry tag). */
  public static final List<String> SITES = List.of("plant-north", "plant-south", "warehouse-east");

  private final SimulatorConfig config;
  private final SimulatorStats stats = new SimulatorStats();
  private final ScheduledExecutorService scheduler;
  private final List<SimulatedDevice> devices = new ArrayList<>();

  public DeviceSimulator(SimulatorConfig config) {
    this.config = config;
    this.scheduler =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "device-simulator");
              t.setDaemon(true);
              return t;
            });
    Random seeds = new Random(config.seed);
    for (int i = 0; i < config.devices; i++) {
      devices.add(new SimulatedDevice(i, config, stats, scheduler, new Random(seeds.nextLong())));
    }
  }

  /** Connects every device and starts the fleet; returns when all are connected. */
  public DeviceSimulator start() {
    List<CompletableFuture<Void>> connecting = new ArrayList<>();
    for (SimulatedDevice device : devices) {
      connecting.add(device.start());
    }
    try {
      CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new))
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      close();
      throw new IllegalStateException(
          "simulated devices could not connect to " + config.host + ":" + config.port, e);
    }
    scheduleIncidents();
    return this;
  }

  private void scheduleIncidents() {
    Random random = new Random(config.seed ^ 0x5eed);
    var b = config.behaviour;
    int n = devices.size();
    // Anomalies from the front of the fleet, silences from the back: no device has both, so
    // each alert has one cause.
    int anomalous = config.anomalies ? Math.max(1, (int) Math.round(n * b.anomalyFraction())) : 0;
    int silent = (int) Math.round(n * config.offlineFraction);
    for (int i = 0; i < Math.min(anomalous, n); i++) {
      SimulatedDevice d = devices.get(i);
      Signals.Anomaly kind =
          i % 2 == 0 ? Signals.Anomaly.TEMPERATURE_SPIKE : Signals.Anomaly.VIBRATION_HIGH;
      d.scheduleAnomaly(
          kind,
          between(random, b.anomalyStartMin().toMillis(), b.anomalyStartMax().toMillis()),
          b.anomalyReadings());
    }
    for (int i = n - 1; i >= Math.max(anomalous, n - silent); i--) {
      devices
          .get(i)
          .scheduleSilence(
              between(random, b.silenceStartMin().toMillis(), b.silenceStartMax().toMillis()),
              between(random, b.silenceMin().toMillis(), b.silenceMax().toMillis()));
    }
  }

  private static long between(Random random, long min, long max) {
    return max <= min ? min : min + (long) (random.nextDouble() * (max - min));
  }

  public SimulatorStats stats() {
    return stats;
  }

  public List<String> deviceIds() {
    return devices.stream().map(d -> d.id).toList();
  }

  /**
   * The registry records of the fleet (sites, types, firmware, heartbeat from the report interval),
   * for {@code iot.devices}.
   */
  public List<Device> registry() {
    List<Device> out = new ArrayList<>();
    long heartbeatSeconds = Math.max(1, (config.intervalMillis() + 999) / 1000);
    for (int i = 0; i < devices.size(); i++) {
      Device device = new Device();
      device.setDeviceId(config.deviceId(i));
      device.setType(i % 4 == 3 ? "vibration-sensor" : "environment-sensor");
      device.setSite(SITES.get(i % SITES.size()));
      device.setFirmware(firmwareOf(i));
      device.setHeartbeatSeconds((int) Math.max(5, heartbeatSeconds));
      device.setStatus(DeviceStatus.ACTIVE);
      out.add(device);
    }
    return out;
  }

  static String firmwareOf(int index) {
    return index % 5 == 4 ? "2.5.0" : "2.4.1";
  }

  @Override
  public void close() {
    List<CompletableFuture<Void>> stopping = new ArrayList<>();
    for (SimulatedDevice device : devices) {
      stopping.add(device.stop());
    }
    try {
      CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // A device that does not answer its disconnect is dropped with the scheduler.
    }
    scheduler.shutdownNow();
  }

  /** An injected anomaly or a silence: which device, what, when it started, how long it lasts. */
  public record Incident(String deviceId, String kind, long startedAt, long durationMillis) {}
}
