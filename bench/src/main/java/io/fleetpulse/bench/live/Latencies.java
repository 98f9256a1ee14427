package io.fleetpulse.bench.live;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/** Latency samples (nanoseconds) collected concurrently into a fixed array, then summarised. */
final class Latencies {

  private final long[] samples;
  private final AtomicInteger size = new AtomicInteger();

  Latencies(int capacity) {
    samples = new long[capacity];
  }

  /** Adds one sample; samples past the capacity are counted but not kept. */
  void add(long nanos) {
    int i = size.getAndIncrement();
    if (i < samples.length) {
      samples[i] = nanos;
    }
  }

  int count() {
    return size.get();
  }

  /** The summary of what was collected: count, p50, p90, p99, max in milliseconds. */
  Summary summary() {
    int n = Math.min(size.get(), samples.length);
    long[] sorted = Arrays.copyOf(samples, n);
    Arrays.sort(sorted);
    return new Summary(
        n, ms(sorted, 0.50), ms(sorted, 0.90), ms(sorted, 0.99), n == 0 ? 0 : sorted[n - 1] / 1e6);
  }

  private static double ms(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, i)] / 1e6;
  }

  /** Count and percentiles in milliseconds. */
  record Summary(int count, double p50, double p90, double p99, double max) {}
}
