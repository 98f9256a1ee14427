package io.fleetpulse.jobs.telemetry;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A message's metrics as two parallel arrays (names, unboxed values) behind the {@code Map} of
 * {@link io.fleetpulse.model.Telemetry#getMetrics}: what the scanner and the keyBy serializer
 * build, so a record carries no hash table, no entry nodes and no boxed doubles. A device sends a
 * handful of metrics, so a scan finds one faster than hashing; the hot paths read {@link #name} and
 * {@link #value} by index, everything else sees an ordinary map (equal to a {@code HashMap} with
 * the same entries). Insertion order; no removal.
 */
public final class MetricArray extends AbstractMap<String, Double> {

  private String[] names;
  private double[] values;
  private int size;

  public MetricArray(int capacity) {
    names = new String[Math.max(1, capacity)];
    values = new double[names.length];
  }

  /** A copy of {@code metrics}. */
  public static MetricArray of(java.util.Map<String, Double> metrics) {
    MetricArray copy = new MetricArray(metrics.size());
    if (metrics instanceof MetricArray array) {
      System.arraycopy(array.names, 0, copy.names, 0, array.size);
      System.arraycopy(array.values, 0, copy.values, 0, array.size);
      copy.size = array.size;
      return copy;
    }
    for (Entry<String, Double> metric : metrics.entrySet()) {
      copy.put(metric.getKey(), metric.getValue());
    }
    return copy;
  }

  /** The number of metrics. */
  @Override
  public int size() {
    return size;
  }

  /** The name of metric {@code i}, {@code 0 <= i < size()}. */
  public String name(int i) {
    return names[i];
  }

  /** The value of metric {@code i}, {@code 0 <= i < size()}. */
  public double value(int i) {
    return values[i];
  }

  /** Sets {@code name} to {@code value}; the previous value, or null when it is new. */
  public Double put(String name, double value) {
    int i = indexOf(name);
    if (i >= 0) {
      double previous = values[i];
      values[i] = value;
      return previous;
    }
    if (size == names.length) {
      names = Arrays.copyOf(names, size * 2);
      values = Arrays.copyOf(values, size * 2);
    }
    names[size] = name;
    values[size] = value;
    size++;
    return null;
  }

  @Override
  public Double put(String name, Double value) {
    return put(name, value.doubleValue());
  }

  @Override
  public Double get(Object name) {
    int i = indexOf(name);
    return i < 0 ? null : values[i];
  }

  @Override
  public boolean containsKey(Object name) {
    return indexOf(name) >= 0;
  }

  private int indexOf(Object name) {
    for (int i = 0; i < size; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public Set<Entry<String, Double>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Entry<String, Double>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Entry<String, Double> next() {
            if (next >= size) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new SimpleImmutableEntry<>(names[i], values[i]);
          }
        };
      }
    };
  }
}
