package io.fleetpulse.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * The summary of one metric of one device over one event-time window.
 *
 * <p>A Flink POJO of primitives only, so that window state stays cheap to serialize.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TelemetryAggregate {

  private String deviceId;
  private String metric;
  private long windowStart;
  private long windowEnd;
  private long count;
  private double min;
  private double max;
  private double avg;
  private double last;
  private long lastTs;
  private String type;
  private String site;
  private String status;

  public TelemetryAggregate() {}

  public TelemetryAggregate(
      String deviceId,
      String metric,
      long windowStart,
      long windowEnd,
      long count,
      double min,
      double max,
      double avg,
      double last,
      long lastTs) {
    this.deviceId = deviceId;
    this.metric = metric;
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
    this.count = count;
    this.min = min;
    this.max = max;
    this.avg = avg;
    this.last = last;
    this.lastTs = lastTs;
  }

  public String getDeviceId() {
    return deviceId;
  }

  public void setDeviceId(String deviceId) {
    this.deviceId = deviceId;
  }

  public String getMetric() {
    return metric;
  }

  public void setMetric(String metric) {
    this.metric = metric;
  }

  /** Window start, epoch milliseconds, inclusive. */
  public long getWindowStart() {
    return windowStart;
  }

  public void setWindowStart(long windowStart) {
    this.windowStart = windowStart;
  }

  /** Window end, epoch milliseconds, exclusive. */
  public long getWindowEnd() {
    return windowEnd;
  }

  public void setWindowEnd(long windowEnd) {
    this.windowEnd = windowEnd;
  }

  /** Number of values in the window. */
  public long getCount() {
    return count;
  }

  public void setCount(long count) {
    this.count = count;
  }

  public double getMin() {
    return min;
  }

  public void setMin(double min) {
    this.min = min;
  }

  public double getMax() {
    return max;
  }

  public void setMax(double max) {
    this.max = max;
  }

  public double getAvg() {
    return avg;
  }

  public void setAvg(double avg) {
    this.avg = avg;
  }

  /** The value with the latest event time in the window. */
  public double getLast() {
    return last;
  }

  public void setLast(double last) {
    this.last = last;
  }

  /** Event time of {@link #getLast()}, epoch milliseconds. */
  public long getLastTs() {
    return lastTs;
  }

  public void setLastTs(long lastTs) {
    this.lastTs = lastTs;
  }

  /** Device type the window's latest record was enriched with. */
  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  /** Site the window's latest record was enriched with. */
  public String getSite() {
    return site;
  }

  public void setSite(String site) {
    this.site = site;
  }

  /** Registry status of the window's latest record, or {@code unregistered}. */
  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TelemetryAggregate)) {
      return false;
    }
    TelemetryAggregate that = (TelemetryAggregate) o;
    return windowStart == that.windowStart
        && windowEnd == that.windowEnd
        && count == that.count
        && Double.compare(min, that.min) == 0
        && Double.compare(max, that.max) == 0
        && Double.compare(avg, that.avg) == 0
        && Double.compare(last, that.last) == 0
        && lastTs == that.lastTs
        && Objects.equals(deviceId, that.deviceId)
        && Objects.equals(metric, that.metric)
        && Objects.equals(type, that.type)
        && Objects.equals(site, that.site)
        && Objects.equals(status, that.status);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        deviceId, metric, windowStart, windowEnd, count, min, max, avg, last, lastTs);
  }

  @Override
  public String toString() {
    return "TelemetryAggregate{deviceId="
        + deviceId
        + ", metric="
        + metric
        + ", windowStart="
        + windowStart
        + ", windowEnd="
        + windowEnd
        + ", count="
        + count
        + ", min="
        + min
        + ", max="
        + max
        + ", avg="
        + avg
        + ", last="
        + last
        + ", lastTs="
        + lastTs
        + '}';
  }
}
