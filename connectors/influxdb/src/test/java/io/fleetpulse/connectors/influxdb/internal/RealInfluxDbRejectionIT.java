package io.fleetpulse.connectors.influxdb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.fleetpulse.devstack.influxdb.InfluxDbExtension;
import io.fleetpulse.devstack.influxdb.InfluxDbProcess;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a real InfluxDB 1.x answers to a bad point, and what the writer makes of it. */
@ExtendWith(InfluxDbExtension.class)
class RealInfluxDbRejectionIT {

  @Test
  void aFieldTypeConflictDropsOnlyTheConflictingPoint(InfluxDbProcess influx) throws Exception {
    influx.createDatabase("conflict");
    try (TestWriter sink =
        new TestWriter(TestWriter.options(influx.url()).database("conflict").build())) {
      sink.writer.write(value(1, 1.5), null);
      sink.writer.write(
          Point.measurement("m").addField("v", "text").time(2L, WritePrecision.MS), null);
      sink.writer.write(value(3, 3.5), null);

      sink.writer.flush(false);

      assertThat(sink.metrics.failures()).isEqualTo(1);
      assertThat(sink.metrics.retries()).isZero();
      assertThat(influx.query("conflict", "SELECT v FROM m"))
          .containsExactly(Map.of("time", 1L, "v", 1.5), Map.of("time", 3L, "v", 3.5));
    }
  }

  private static Point value(long time, double v) {
    return Point.measurement("m").addField("v", v).time(time, WritePrecision.MS);
  }
}
