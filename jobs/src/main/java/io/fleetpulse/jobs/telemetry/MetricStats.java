package io.fleetpulse.jobs.telemetry;

/** Running count, min, max, sum and latest value of one metric within one window. */
public class MetricStats {

  private long count;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private double sum;
  private double last;
  private long lastTs = Long.MIN_VALUE;

  public MetricStats() {}

  /** Adds one value observed at event time {@code ts}; the latest event time wins "last". */
  public void add(double value, long ts) {
    count++;
    if (value < min) {
      min = value;
    }
    if (value > max) {
      max = value;
    }
    sum += value;
    if (ts >= lastTs) {
      last = value;
      lastTs = ts;
    }
  }

  /** Folds {@code other} into this one (for merging windows). */
  public void merge(MetricStats other) {
    count += other.count;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
    sum += other.sum;
    if (other.lastTs >= lastTs) {
      last = other.last;
      lastTs = other.lastTs;
    }
  }

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

  public double getSum() {
    return sum;
  }

  public void setSum(double sum) {
    this.sum = sum;
  }

  public double getLast() {
    return last;
  }

  public void setLast(double last) {
    this.last = last;
  }

  public long getLastTs() {
    return lastTs;
  }

  public void setLastTs(long lastTs) {
    this.lastTs = lastTs;
  }
}
