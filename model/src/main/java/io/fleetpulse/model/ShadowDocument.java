package io.fleetpulse.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Objects;

/**
 * A device shadow in the AWS IoT Device Shadow document format, so that AWS IoT clients work
 * unchanged.
 *
 * <p>The same shape serves as full document ({@code iot.shadows}), delta ({@code iot.shadow.delta})
 * and update request ({@code iot.shadow.reported}, {@code iot.shadow.desired}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShadowDocument {

  private ShadowState state;
  private Map<String, Object> metadata;
  private long version;
  private long timestamp;
  private String clientToken;

  public ShadowDocument() {}

  public ShadowDocument(
      ShadowState state,
      Map<String, Object> metadata,
      long version,
      long timestamp,
      String clientToken) {
    this.state = state;
    this.metadata = metadata;
    this.version = version;
    this.timestamp = timestamp;
    this.clientToken = clientToken;
  }

  public ShadowState getState() {
    return state;
  }

  public void setState(ShadowState state) {
    this.state = state;
  }

  /** Per-field update timestamps, mirroring the shape of {@code state}. */
  public Map<String, Object> getMetadata() {
    return metadata;
  }

  public void setMetadata(Map<String, Object> metadata) {
    this.metadata = metadata;
  }

  /**
   * Incremented on every accepted update; consumers keep the highest they have seen. Versions start
   * at 1, so 0 means "none": in an update request, no expected version to check.
   */
  public long getVersion() {
    return version;
  }

  public void setVersion(long version) {
    this.version = version;
  }

  /**
   * When the document was last written, in epoch <em>seconds</em> as in AWS IoT; shadow metadata
   * timestamps use the same unit.
   */
  public long getTimestamp() {
    return timestamp;
  }

  public void setTimestamp(long timestamp) {
    this.timestamp = timestamp;
  }

  /** Echoed back from the request so that a client can match responses to its requests. */
  public String getClientToken() {
    return clientToken;
  }

  public void setClientToken(String clientToken) {
    this.clientToken = clientToken;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ShadowDocument)) {
      return false;
    }
    ShadowDocument that = (ShadowDocument) o;
    return version == that.version
        && timestamp == that.timestamp
        && Objects.equals(state, that.state)
        && Objects.equals(metadata, that.metadata)
        && Objects.equals(clientToken, that.clientToken);
  }

  @Override
  public int hashCode() {
    return Objects.hash(state, metadata, version, timestamp, clientToken);
  }

  @Override
  public String toString() {
    return "ShadowDocument{state="
        + state
        + ", metadata="
        + metadata
        + ", version="
        + version
        + ", timestamp="
        + timestamp
        + ", clientToken="
        + clientToken
        + '}';
  }
}
