package io.fleetpulse.model;

import java.util.Map;
import java.util.Objects;

/**
 * One telemetry message of one device: its metrics at one event time.
 *
 * <p>A Flink POJO (public no-arg constructor, getters and setters); jobs give Flink its type
 * information explicitly, so that the metrics map is not serialized with Kryo.
 */
public class Telemetry {

  private String deviceId;
  private long ts;
  private Long seq;
  private Map<String, Double> metrics;

  public Telemetry() {}

  public Telemetry(String deviceId, long ts, Long seq, Map<String, Double> metrics) {
    this.deviceId = deviceId;
    this.ts = ts;
    this.seq = seq;
    this.metrics = metrics;
  }

  public String getDeviceId() {
    return deviceId;
  }

  public void setDeviceId(String deviceId) {
    this.deviceId = deviceId;
  }

  /** Event time, epoch milliseconds. */
  public long getTs() {
    return ts;
  }

  public void setTs(long ts) {
    this.ts = ts;
  }

  /** The device's own sequence number, or null when the device sends none. */
  public Long getSeq() {
    return seq;
  }

  public void setSeq(Long seq) {
    this.seq = seq;
  }

  public Map<String, Double> getMetrics() {
    return metrics;
  }

  public void setMetrics(Map<String, Double> metrics) {
    this.metrics = metrics;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Telemetry)) {
      return false;
    }
    Telemetry that = (Telemetry) o;
    return ts == that.ts
        && Objects.equals(deviceId, that.deviceId)
        && Objects.equals(seq, that.seq)
        && Objects.equals(metrics, that.metrics);
  }

  @Override
  public int hashCode() {
    return Objects.hash(deviceId, ts, seq, metrics);
  }

  @Override
  public String toString() {
    return "Telemetry{deviceId="
        + deviceId
        + ", ts="
        + ts
        + ", seq="
        + seq
        + ", metrics="
        + metrics
        + '}';
  }
}
