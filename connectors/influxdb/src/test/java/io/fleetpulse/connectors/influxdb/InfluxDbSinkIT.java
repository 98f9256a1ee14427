package io.fleetpulse.connectors.influxdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.fleetpulse.devstack.influxdb.InfluxDbExtension;
import io.fleetpulse.devstack.influxdb.InfluxDbProcess;
import io.fleetpulse.model.TelemetryAggregate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink in Flink jobs against a real InfluxDB 1.x. */
@ExtendWith(InfluxDbExtension.class)
class InfluxDbSinkIT {

  private static final long T0 = 1_764_331_200_000L;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @Test
  void influxQlReturnsExactlyTheAggregatesAJobWrote(InfluxDbProcess influx) throws Exception {
    influx.createDatabase("exact");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.fromData(
            new TelemetryAggregate(
                "d1", "temperature", T0, T0 + 60_000, 3, 20.5, 22.5, 21.5, 22.5, 0),
            new TelemetryAggregate(
                "d1", "temperature", T0 + 60_000, T0 + 120_000, 1, 19.5, 19.5, 19.5, 19.5, 0),
            new TelemetryAggregate(
                "d2", "battery", T0, T0 + 60_000, 2, 86.25, 87.5, 86.875, 86.25, 0))
        .sinkTo(
            sink(
                options(influx, "exact").build(),
                AggregatePoints.withTags(a -> Map.of("site", "s-" + a.getDeviceId()))));

    env.execute("aggregates to InfluxDB");

    assertThat(
            influx.query(
                "exact",
                "SELECT \"count\", \"min\", \"max\", \"avg\", \"last\" FROM telemetry_agg"
                    + " GROUP BY device, metric, site"))
        .containsExactly(
            row("d1", "temperature", "s-d1", T0, 3, 20.5, 22.5, 21.5, 22.5),
            row("d1", "temperature", "s-d1", T0 + 60_000, 1, 19.5, 19.5, 19.5, 19.5),
            row("d2", "battery", "s-d2", T0, 2, 86.25, 87.5, 86.875, 86.25));
  }

  /**
   * Reader starts, i.e. job attempts, of {@link #everyPointArrivesAfterInfluxDbWasDown15Seconds}.
   */
  private static final AtomicInteger ATTEMPTS = new AtomicInteger();

  @Test
  void everyPointArrivesAfterInfluxDbWasDown15Seconds(InfluxDbProcess influx) throws Exception {
    influx.createDatabase("outage");
    int points = 5_000;
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 100);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    env.enableCheckpointing(300);
    env.fromSource(
            new DataGeneratorSource<>(
                new CountingAttempts(), points, RateLimiterStrategy.perSecond(1_000), Types.LONG),
            WatermarkStrategy.noWatermarks(),
            "numbers")
        .sinkTo(
            sink(
                options(influx, "outage")
                    .batchSize(100)
                    .flushInterval(Duration.ofMillis(100))
                    .maxRetries(3)
                    .initialBackoff(Duration.ofMillis(100))
                    .maxBackoff(Duration.ofMillis(300))
                    .build(),
                InfluxDbSinkIT::point));

    JobClient job = env.executeAsync("through an InfluxDB outage");
    awaitCount(influx, 500);
    influx.stop();
    Thread.sleep(15_000);
    influx.start();
    job.getJobExecutionResult().get(2, TimeUnit.MINUTES);

    assertThat(ATTEMPTS.get()).as("job attempts").isGreaterThan(1);
    Set<Object> values =
        influx.query("outage", "SELECT value FROM m").stream()
            .map(r -> r.get("value"))
            .collect(Collectors.toSet());
    assertThat(values)
        .isEqualTo(LongStream.range(0, points).mapToObj(i -> i + 0.5).collect(Collectors.toSet()));
  }

  private static final class CountingAttempts implements GeneratorFunction<Long, Long> {
    @Override
    public void open(SourceReaderContext readerContext) {
      ATTEMPTS.incrementAndGet();
    }

    @Override
    public Long map(Long index) {
      return index;
    }
  }

  private static List<Point> point(Long i) {
    return List.of(
        Point.measurement("m")
            .addTag("device", "d" + (i % 10))
            .addField("value", i + 0.5)
            .time(T0 + i, WritePrecision.MS));
  }

  private static void awaitCount(InfluxDbProcess influx, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      List<Map<String, Object>> rows = influx.query("outage", "SELECT count(value) FROM m");
      if (!rows.isEmpty() && ((Number) rows.get(0).get("count")).longValue() >= atLeast) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("fewer than " + atLeast + " points arrived in 30 s");
  }

  private static InfluxDbSinkOptions.Builder options(InfluxDbProcess influx, String database) {
    return InfluxDbSinkOptions.builder().url(influx.url()).v1(database);
  }

  private static <T> InfluxDbSink<T> sink(
      InfluxDbSinkOptions options, PointConverter<T> converter) {
    return InfluxDbSink.<T>builder().options(options).pointConverter(converter).build();
  }

  private static Map<String, Object> row(
      String device,
      String metric,
      String site,
      long time,
      long count,
      double min,
      double max,
      double avg,
      double last) {
    return Map.of(
        "device", device, "metric", metric, "site", site, "time", time, "count", count, "min", min,
        "max", max, "avg", avg, "last", last);
  }
}
