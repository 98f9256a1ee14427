package io.fleetpulse.devstack.sim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Plausible readings of one device: temperature on a daily cycle, humidity against it, a battery
 * that drains and is replaced, vibration with now and then a burst; plus an injected anomaly.
 */
final class Signals {

  private static final double DAY_MS = 86_400_000.0;

  private final Random random;
  private final double baseTemperature;
  private final double baseHumidity;
  private final double drainPerReading;
  private double battery;
  private int burstLeft;
  private int anomalyLeft;
  private Anomaly anomaly;

  /** The kinds of injected anomaly. */
  enum Anomaly {
    /** Temperature above 80 °C (the {@code temperature_high} SQL rule). */
    TEMPERATURE_SPIKE,
    /** Vibration stuck at 9-12 g (a THRESHOLD detector on {@code vibration}). */
    VIBRATION_HIGH
  }

  Signals(Random random) {
    this.random = random;
    this.baseTemperature = 17 + random.nextDouble() * 6;
    this.baseHumidity = 40 + random.nextDouble() * 15;
    this.drainPerReading = 0.002 + random.nextDouble() * 0.006;
    this.battery = 30 + random.nextDouble() * 70;
  }

  /** Starts {@code kind} for the next {@code readings} readings. */
  void inject(Anomaly kind, int readings) {
    anomaly = kind;
    anomalyLeft = readings;
  }

  boolean anomalous() {
    return anomalyLeft > 0;
  }

  /** Whether the battery ran flat and was replaced by this reading (the device reboots). */
  boolean batteryReplaced() {
    if (battery < 2) {
      battery = 100;
      return true;
    }
    return false;
  }

  Map<String, Double> next(long ts) {
    double phase = 2 * Math.PI * ((ts % (long) DAY_MS) / DAY_MS - 0.375);
    double temperature = baseTemperature + 4 * Math.sin(phase) + random.nextGaussian() * 0.3;
    double humidity = baseHumidity - 8 * Math.sin(phase) + random.nextGaussian() * 1.0;
    battery = Math.max(0, battery - drainPerReading);
    double vibration = 0.2 + Math.abs(random.nextGaussian()) * 0.08;
    if (burstLeft == 0 && random.nextDouble() < 0.01) {
      burstLeft = 3 + random.nextInt(6);
    }
    if (burstLeft > 0) {
      burstLeft--;
      vibration = 1.5 + random.nextDouble() * 2.5;
    }
    if (anomalyLeft > 0) {
      anomalyLeft--;
      if (anomaly == Anomaly.TEMPERATURE_SPIKE) {
        temperature = 85 + random.nextDouble() * 10;
      } else {
        vibration = 9 + random.nextDouble() * 3;
      }
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("temperature", round(temperature, 10));
    metrics.put("humidity", round(Math.min(100, Math.max(0, humidity)), 10));
    metrics.put("battery", round(battery, 10));
    metrics.put("vibration", round(vibration, 100));
    return metrics;
  }

  private static double round(double v, double scale) {
    return Math.round(v * scale) / scale;
  }
}
