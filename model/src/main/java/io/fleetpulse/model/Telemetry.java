package io.fleetpulse.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Objects;

/**
 * One telemetry message of one device: its metrics at one event time.
 *
 * <p>A Flink POJO (public no-arg constructor, getters and setters); jobs give Flink its type
 * information explicitly, so that the metrics map is not serialized with Kryo.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Telemetry {

  private String deviceId;
  private long ts;
  private Long seq;
  private Map<String, Double> metrics;
  private String type;
  private String site;
  private String firmware;
  private String status;
  private int sourcePartition = -1;
  private long sourceOffset = -1;

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

  /** Device type from the registry (enrichment); null before enrichment. */
  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  /** Site from the registry (enrichment); null before enrichment. */
  public String getSite() {
    return site;
  }

  public void setSite(String site) {
    this.site = site;
  }

  /** Firmware from the registry (enrichment); null before enrichment. */
  public String getFirmware() {
    return firmware;
  }

  public void setFirmware(String firmware) {
    this.firmware = firmware;
  }

  /** Registry status, or {@code unregistered} for a device the registry does not know. */
  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  /**
   * The Kafka partition the message was read from, or -1; carried (not part of the JSON) so that a
   * dead letter written after parsing still names its source record.
   */
  @JsonIgnore
  public int getSourcePartition() {
    return sourcePartition;
  }

  @JsonIgnore
  public void setSourcePartition(int sourcePartition) {
    this.sourcePartition = sourcePartition;
  }

  /** The Kafka offset the message was read from, or -1; like {@link #getSourcePartition()}. */
  @JsonIgnore
  public long getSourceOffset() {
    return sourceOffset;
  }

  @JsonIgnore
  public void setSourceOffset(long sourceOffset) {
    this.sourceOffset = sourceOffset;
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
        && Objects.equals(metrics, that.metrics)
        && Objects.equals(type, that.type)
        && Objects.equals(site, that.site)
        && Objects.equals(firmware, that.firmware)
        && Objects.equals(status, that.status);
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
        + (status == null ? "" : ", type=" + type + ", site=" + site + ", status=" + status)
        + '}';
  }
}
