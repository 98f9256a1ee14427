package io.fleetpulse.jobs.telemetry;

/** Running count, min, max, sum and latest value of one metric within one window. */
public class MetricStats {

  private long count;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private double sum;
  private int sumScale;
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
    double next = sum + value;
    if (sumScale == 0 && !Double.isInfinite(next)) {
      // The ordinary sum: without the scaling's calls to Math.scalb.
      sum = next;
    } else {
      addToSum(value, 0);
    }
    if (ts >= lastTs) {
      last = value;
      lastTs = ts;
    }
  }

  /**
   * Adds {@code value * 2^valueScale} to the sum, which is {@code sum * 2^sumScale}: when a plain
   * double sum would overflow (two readings of 1e308), the sum is halved and its scale raised
   * instead, so it never becomes infinite. Ordinary sums never scale and stay exact.
   */
  private void addToSum(double value, int valueScale) {
    while (valueScale > sumScale) {
      sum = Math.scalb(sum, -1);
      sumScale++;
    }
    double next = sum + Math.scalb(value, valueScale - sumScale);
    while (Double.isInfinite(next)) {
      sum = Math.scalb(sum, -1);
      sumScale++;
      next = sum + Math.scalb(value, valueScale - sumScale);
    }
    sum = next;
  }

  /** The mean of the values added: always finite (it lies between min and max). */
  public double mean() {
    if (sumScale == 0) {
      return sum / count;
    }
    // Rounding of the scaled sum must not take the mean past the largest double.
    return Math.max(min, Math.min(max, Math.scalb(sum / count, sumScale)));
  }

  /** Folds {@code other} into this one (for merging windows). */
  public void merge(MetricStats other) {
    count += other.count;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
    addToSum(other.sum, other.sumScale);
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

  /** The power of two the sum is scaled by: 0 unless the plain sum would have overflowed. */
  public int getSumScale() {
    return sumScale;
  }

  public void setSumScale(int sumScale) {
    this.sumScale = sumScale;
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
