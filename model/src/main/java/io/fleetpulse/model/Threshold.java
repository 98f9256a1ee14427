package io.fleetpulse.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/** The allowed range of one metric of a device; either bound may be absent (null). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Threshold {

  private Double min;
  private Double max;

  public Threshold() {}

  public Threshold(Double min, Double max) {
    this.min = min;
    this.max = max;
  }

  /** Lowest allowed value, inclusive, or null for no lower bound. */
  public Double getMin() {
    return min;
  }

  public void setMin(Double min) {
    this.min = min;
  }

  /** Highest allowed value, inclusive, or null for no upper bound. */
  public Double getMax() {
    return max;
  }

  public void setMax(Double max) {
    this.max = max;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Threshold)) {
      return false;
    }
    Threshold that = (Threshold) o;
    return Objects.equals(min, that.min) && Objects.equals(max, that.max);
  }

  @Override
  public int hashCode() {
    return Objects.hash(min, max);
  }

  @Override
  public String toString() {
    return "Threshold{min=" + min + ", max=" + max + '}';
  }
}
