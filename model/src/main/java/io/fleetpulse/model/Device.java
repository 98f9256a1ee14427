package io.fleetpulse.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Objects;

/**
 * A device registry record, as kept in the compacted {@code iot.devices} topic.
 *
 * <p>A Flink POJO (public no-arg constructor, getters and setters) so that enrichment state can
 * hold it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Device {

  private String deviceId;
  private String type;
  private String site;
  private String firmware;
  private Integer heartbeatSeconds;
  private Map<String, Threshold> thresholds;
  private DeviceStatus status;

  public Device() {}

  public Device(
      String deviceId,
      String type,
      String site,
      String firmware,
      Integer heartbeatSeconds,
      Map<String, Threshold> thresholds,
      DeviceStatus status) {
    this.deviceId = deviceId;
    this.type = type;
    this.site = site;
    this.firmware = firmware;
    this.heartbeatSeconds = heartbeatSeconds;
    this.thresholds = thresholds;
    this.status = status;
  }

  public String getDeviceId() {
    return deviceId;
  }

  public void setDeviceId(String deviceId) {
    this.deviceId = deviceId;
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getSite() {
    return site;
  }

  public void setSite(String site) {
    this.site = site;
  }

  public String getFirmware() {
    return firmware;
  }

  public void setFirmware(String firmware) {
    this.firmware = firmware;
  }

  /** Expected reporting interval; null when the device is not watched for going offline. */
  public Integer getHeartbeatSeconds() {
    return heartbeatSeconds;
  }

  public void setHeartbeatSeconds(Integer heartbeatSeconds) {
    this.heartbeatSeconds = heartbeatSeconds;
  }

  /** Allowed range per metric name. */
  public Map<String, Threshold> getThresholds() {
    return thresholds;
  }

  public void setThresholds(Map<String, Threshold> thresholds) {
    this.thresholds = thresholds;
  }

  public DeviceStatus getStatus() {
    return status;
  }

  public void setStatus(DeviceStatus status) {
    this.status = status;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Device)) {
      return false;
    }
    Device that = (Device) o;
    return Objects.equals(deviceId, that.deviceId)
        && Objects.equals(type, that.type)
        && Objects.equals(site, that.site)
        && Objects.equals(firmware, that.firmware)
        && Objects.equals(heartbeatSeconds, that.heartbeatSeconds)
        && Objects.equals(thresholds, that.thresholds)
        && status == that.status;
  }

  @Override
  public int hashCode() {
    return Objects.hash(deviceId, type, site, firmware, heartbeatSeconds, thresholds, status);
  }

  @Override
  public String toString() {
    return "Device{deviceId="
        + deviceId
        + ", type="
        + type
        + ", site="
        + site
        + ", firmware="
        + firmware
        + ", heartbeatSeconds="
        + heartbeatSeconds
        + ", thresholds="
        + thresholds
        + ", status="
        + status
        + '}';
  }
}
