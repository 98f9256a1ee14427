package io.fleetpulse.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code state} part of a shadow document: what the cloud wants ({@code desired}), what the
 * device last said ({@code reported}) and where they differ ({@code delta}).
 *
 * <p>Values are arbitrary JSON (nested objects become maps). A null value inside a map is kept,
 * because in an update request it means "remove this key".
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShadowState {

  private Map<String, Object> desired;
  private Map<String, Object> reported;
  private Map<String, Object> delta;

  public ShadowState() {}

  public ShadowState(
      Map<String, Object> desired, Map<String, Object> reported, Map<String, Object> delta) {
    this.desired = desired;
    this.reported = reported;
    this.delta = delta;
  }

  public Map<String, Object> getDesired() {
    return desired;
  }

  public void setDesired(Map<String, Object> desired) {
    this.desired = desired;
  }

  public Map<String, Object> getReported() {
    return reported;
  }

  public void setReported(Map<String, Object> reported) {
    this.reported = reported;
  }

  public Map<String, Object> getDelta() {
    return delta;
  }

  public void setDelta(Map<String, Object> delta) {
    this.delta = delta;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ShadowState)) {
      return false;
    }
    ShadowState that = (ShadowState) o;
    return Objects.equals(desired, that.desired)
        && Objects.equals(reported, that.reported)
        && Objects.equals(delta, that.delta);
  }

  @Override
  public int hashCode() {
    return Objects.hash(desired, reported, delta);
  }

  @Override
  public String toString() {
    return "ShadowState{desired=" + desired + ", reported=" + reported + ", delta=" + delta + '}';
  }
}
