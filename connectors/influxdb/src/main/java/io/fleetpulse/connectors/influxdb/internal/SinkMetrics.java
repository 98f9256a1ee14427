package io.fleetpulse.connectors.influxdb.internal;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** The sink's metrics, updated from the sender threads, hence thread-safe counters. */
final class SinkMetrics {

  private final Counter pointsWritten = new ThreadSafeSimpleCounter();
  private final Counter batches = new ThreadSafeSimpleCounter();
  private final Counter retries = new ThreadSafeSimpleCounter();
  private final Counter failures = new ThreadSafeSimpleCounter();
  private final Histogram writeLatency = new DescriptiveStatisticsHistogram(1_000);
  private final Counter recordsSend;
  private volatile long lastWriteLatencyMs;

  /**
   * Registers the metrics on {@code group}; {@code recordsSend} is Flink's standard numRecordsSend
   * counter of the sink, counted in points.
   */
  SinkMetrics(MetricGroup group, Counter recordsSend) {
    this.recordsSend = recordsSend;
    group.counter("pointsWritten", pointsWritten);
    group.counter("batches", batches);
    group.counter("retries", retries);
    group.counter("failures", failures);
    group.histogram("writeLatency", writeLatency);
    group.<Long, Gauge<Long>>gauge("lastWriteLatencyMs", () -> lastWriteLatencyMs);
  }

  void written(int points, long latencyMs) {
    pointsWritten.inc(points);
    recordsSend.inc(points);
    batches.inc();
    lastWriteLatencyMs = latencyMs;
    synchronized (writeLatency) {
      writeLatency.update(latencyMs);
    }
  }

  void retried() {
    retries.inc();
  }

  void dropped(int points) {
    failures.inc(points);
  }

  long pointsWritten() {
    return pointsWritten.getCount();
  }

  long batches() {
    return batches.getCount();
  }

  long retries() {
    return retries.getCount();
  }

  long failures() {
    return failures.getCount();
  }
}
