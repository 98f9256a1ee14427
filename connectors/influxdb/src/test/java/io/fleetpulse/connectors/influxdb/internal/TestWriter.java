package io.fleetpulse.connectors.influxdb.internal;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.fleetpulse.connectors.influxdb.InfluxDbSinkOptions;
import java.time.Duration;
import java.util.List;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/** A sink writer of plain points on manual time, with its metrics at hand. */
final class TestWriter implements AutoCloseable {

  final ManualTime time = new ManualTime();
  final SinkMetrics metrics = new SinkMetrics(new UnregisteredMetricsGroup(), new SimpleCounter());
  final InfluxDbSinkWriter<Point> writer;

  TestWriter(InfluxDbSinkOptions options) {
    writer = new InfluxDbSinkWriter<>(options, List::of, time, metrics);
  }

  /** Options to {@code url} (v1, database "db") that only send on flush or a full batch. */
  static InfluxDbSinkOptions.Builder options(String url) {
    return InfluxDbSinkOptions.builder()
        .url(url)
        .v1("db")
        .flushInterval(Duration.ofHours(1))
        .initialBackoff(Duration.ofMillis(10))
        .maxBackoff(Duration.ofMillis(50));
  }

  /** A point whose line is {@code m value=<i>i <i>}. */
  static Point point(long i) {
    return Point.measurement("m").addField("value", i).time(i, WritePrecision.MS);
  }

  static String line(long i) {
    return "m value=" + i + "i " + i;
  }

  void write(long... values) throws Exception {
    for (long v : values) {
      writer.write(point(v), null);
    }
  }

  @Override
  public void close() throws Exception {
    writer.close();
  }
}
