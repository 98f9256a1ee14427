package io.fleetpulse.connectors.influxdb;

import io.fleetpulse.connectors.influxdb.internal.InfluxDbSinkWriter;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Flink sink that writes points to InfluxDB over its HTTP write API (v1 or v2), at least once:
 * every checkpoint waits until all points before it are written.
 *
 * <pre>{@code
 * InfluxDbSink<TelemetryAggregate> sink = InfluxDbSink.<TelemetryAggregate>builder()
 *     .options(InfluxDbSinkOptions.builder().url("http://localhost:8086").v1("fleetpulse").build())
 *     .pointConverter(element -> List.of(Point.measurement("m").addField("v", 1.0)))
 *     .build();
 * stream.sinkTo(sink);
 * }</pre>
 */
public final class InfluxDbSink<T> implements Sink<T> {

  private static final long serialVersionUID = 1L;

  private final InfluxDbSinkOptions options;
  private final PointConverter<T> converter;

  private InfluxDbSink(InfluxDbSinkOptions options, PointConverter<T> converter) {
    this.options = options;
    this.converter = converter;
  }

  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  public InfluxDbSinkOptions options() {
    return options;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    return InfluxDbSinkWriter.create(
        options, converter, context.getProcessingTimeService(), context.metricGroup());
  }

  /** Flink 1.20 still requires the old entry point; it is not called when the new one exists. */
  @Override
  @Deprecated
  public SinkWriter<T> createWriter(InitContext context) {
    return InfluxDbSinkWriter.create(
        options, converter, context.getProcessingTimeService(), context.metricGroup());
  }

  /** Builds an {@link InfluxDbSink}: options and a point converter are required. */
  public static final class Builder<T> {
    private InfluxDbSinkOptions options;
    private PointConverter<T> converter;

    private Builder() {}

    public Builder<T> options(InfluxDbSinkOptions options) {
      this.options = options;
      return this;
    }

    /** How each element becomes points, e.g. one point per element. */
    public Builder<T> pointConverter(PointConverter<T> converter) {
      this.converter = converter;
      return this;
    }

    public InfluxDbSink<T> build() {
      return new InfluxDbSink<>(
          Objects.requireNonNull(options, "options"),
          Objects.requireNonNull(converter, "pointConverter"));
    }
  }
}
