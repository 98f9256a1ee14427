package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Telemetry;
import java.util.Arrays;
import java.util.HashMap;

/**
 * A gate's state for one device: whether its CEP operator is open, and the readings it holds back
 * while closed, kept as the pattern sees them (ts, the rule's metric, type) in plain arrays so the
 * state is a Flink POJO of primitive arrays (no Kryo) and holds no reference to a reused record.
 */
public final class GateReadings {

  /** The CEP operator sees every reading until it is closed again. */
  public boolean open;

  /** RAPID_CHANGE: the ts after which an open gate closes (the last jump + the window). */
  public long openUntil;

  /** The rule's metric in the reading before this one, when it had it (runs compare to it). */
  public double previous;

  public boolean hasPrevious;

  public int size;
  public long[] ts = new long[8];
  public double[] values = new double[8];
  public String[] types = new String[8];

  public GateReadings() {}

  void add(long at, double value, String type) {
    if (size == ts.length) {
      int grown = size * 2;
      ts = Arrays.copyOf(ts, grown);
      values = Arrays.copyOf(values, grown);
      types = Arrays.copyOf(types, grown);
    }
    ts[size] = at;
    values[size] = value;
    types[size] = type;
    size++;
  }

  /** Drops the readings before {@code at} (they are oldest first). */
  void dropBefore(long at) {
    int from = 0;
    while (from < size && ts[from] < at) {
      from++;
    }
    if (from == 0) {
      return;
    }
    int kept = size - from;
    System.arraycopy(ts, from, ts, 0, kept);
    System.arraycopy(values, from, values, 0, kept);
    System.arraycopy(types, from, types, 0, kept);
    Arrays.fill(types, kept, size, null);
    size = kept;
  }

  void clear() {
    Arrays.fill(types, 0, size, null);
    size = 0;
  }

  /** Reading {@code i} as the pattern needs it: the device, its ts and type, the one metric. */
  Telemetry reading(int i, String deviceId, String metric) {
    HashMap<String, Double> metrics = new HashMap<>(2);
    metrics.put(metric, values[i]);
    Telemetry reading = new Telemetry(deviceId, ts[i], null, metrics);
    reading.setType(types[i]);
    return reading;
  }
}
