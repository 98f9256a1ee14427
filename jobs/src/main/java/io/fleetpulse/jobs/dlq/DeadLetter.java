package io.fleetpulse.jobs.dlq;

import java.util.Arrays;
import java.util.Objects;

/**
 * A message that a job could not accept: the original bytes, where they came from, and why.
 *
 * <p>A Flink POJO of arrays and primitives, so Flink serializes it without Kryo.
 */
public class DeadLetter {

  private byte[] key;
  private byte[] value;
  private String reason;
  private String detail;
  private String sourceTopic;
  private int sourcePartition;
  private long sourceOffset;
  private long failedAt;
  private String[] headerNames;
  private byte[][] headerValues;
  private boolean truncated;

  public DeadLetter() {}

  public byte[] getKey() {
    return key;
  }

  public void setKey(byte[] key) {
    this.key = key;
  }

  public byte[] getValue() {
    return value;
  }

  public void setValue(byte[] value) {
    this.value = value;
  }

  /** The reason code, e.g. {@code not_json}. */
  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  /** What exactly was wrong, for a person reading the DLQ. */
  public String getDetail() {
    return detail;
  }

  public void setDetail(String detail) {
    this.detail = detail;
  }

  public String getSourceTopic() {
    return sourceTopic;
  }

  public void setSourceTopic(String sourceTopic) {
    this.sourceTopic = sourceTopic;
  }

  public int getSourcePartition() {
    return sourcePartition;
  }

  public void setSourcePartition(int sourcePartition) {
    this.sourcePartition = sourcePartition;
  }

  public long getSourceOffset() {
    return sourceOffset;
  }

  public void setSourceOffset(long sourceOffset) {
    this.sourceOffset = sourceOffset;
  }

  public long getFailedAt() {
    return failedAt;
  }

  public void setFailedAt(long failedAt) {
    this.failedAt = failedAt;
  }

  /** Names of the original record's headers; parallel to {@link #getHeaderValues()}. */
  public String[] getHeaderNames() {
    return headerNames;
  }

  public void setHeaderNames(String[] headerNames) {
    this.headerNames = headerNames;
  }

  public byte[][] getHeaderValues() {
    return headerValues;
  }

  public void setHeaderValues(byte[][] headerValues) {
    this.headerValues = headerValues;
  }

  /** True when the key, value or headers were cut to fit the dead-letter topic. */
  public boolean isTruncated() {
    return truncated;
  }

  public void setTruncated(boolean truncated) {
    this.truncated = truncated;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof DeadLetter)) {
      return false;
    }
    DeadLetter that = (DeadLetter) o;
    return sourcePartition == that.sourcePartition
        && sourceOffset == that.sourceOffset
        && failedAt == that.failedAt
        && truncated == that.truncated
        && Arrays.equals(key, that.key)
        && Arrays.equals(value, that.value)
        && Objects.equals(reason, that.reason)
        && Objects.equals(detail, that.detail)
        && Objects.equals(sourceTopic, that.sourceTopic)
        && Arrays.equals(headerNames, that.headerNames)
        && Arrays.deepEquals(headerValues, that.headerValues);
  }

  @Override
  public int hashCode() {
    return Objects.hash(reason, sourceTopic, sourcePartition, sourceOffset, Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return "DeadLetter{reason="
        + reason
        + ", detail="
        + detail
        + ", source="
        + sourceTopic
        + "/"
        + sourcePartition
        + "@"
        + sourceOffset
        + '}';
  }
}
