package io.fleetpulse.jobs.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.jobs.sink.NamedSink;
import io.fleetpulse.jobs.telemetry.ParsedTelemetry;
import io.fleetpulse.jobs.testing.CollectingSink;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.jobs.testing.TestSources;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The AnomalyJob through its constructor on in-memory sources and sinks: no Kafka. */
class AnomalyJobInMemoryIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final long T = 1_764_331_200_000L;

  @Test
  void detectorsSignalsAndActionsGoThroughOneLifecycle() throws Exception {
    AnomalyRules rules =
        new AnomalyRules(
            List.of(
                new ThresholdRule(
                    "hot", "temperature", null, 80.0, null, 75.0, 10_000, AlertSeverity.CRITICAL)),
            List.of(new RisingRule("climb", "pressure", 4, 60_000, AlertSeverity.WARNING)));
    AnomalyJobConfig config =
        AnomalyJobConfig.load(new String[] {"--kafka.bootstrap.servers", "unused:9092"}, Map.of())
            .withRules(rules)
            .withLifecycle(
                new LifecycleSettings(Duration.ZERO, Duration.ZERO, 0, Duration.ofMinutes(10)));

    List<ParsedTelemetry> telemetry = new ArrayList<>();
    double[] hot = {70, 85, 86, 87, 88, 70};
    for (int i = 0; i < hot.length; i++) {
      telemetry.add(reading("hot-1", T + i * 10_000L, "temperature", hot[i]));
    }
    telemetry.add(reading("ack-1", T, "temperature", 85));
    telemetry.add(reading("ack-1", T + 10_000, "temperature", 86));
    // Silent for 5 minutes: offline after 3 × the default 60 s heartbeat.
    telemetry.add(reading("quiet-1", T, "temperature", 20));
    telemetry.add(reading("quiet-1", T + 300_000, "temperature", 20));
    for (int i = 0; i < 4; i++) {
      telemetry.add(reading("rise-1", T + i * 1000L, "pressure", 1.0 + i));
    }

    List<ParsedInput> signals =
        parse(
            AlertInputDeserializationSchema.Kind.SIGNAL,
            "{\"rule\":\"sql-door\",\"deviceId\":\"ext-1\",\"severity\":\"INFO\","
                + "\"ts\":"
                + T
                + ",\"state\":\"ACTIVE\",\"message\":\"door open\"}",
            "{\"rule\":\"sql-door\",\"deviceId\":\"ext-1\",\"ts\":"
                + (T + 5000)
                + ",\"state\":\"CLEAR\"}",
            "{\"rule\":\"sql-door\",\"deviceId\":\"ext-1\",\"ts\":1,\"state\":\"MAYBE\"}");

    CollectingSink<Alert> alerts =
        new CollectingSink<>(a -> ModelJson.fromBytes(ModelJson.toBytes(a), Alert.class));
    CollectingSink<DeadLetter> deadLetters = new CollectingSink<>(d -> d);
    String ackId = Alert.idFor("ack-1", "hot", "temperature", String.valueOf(T + 10_000));

    Device other = new Device();
    other.setDeviceId("someone-else");
    other.setHeartbeatSeconds(5);
    AnomalyJob job =
        new AnomalyJob(
            config,
            TestSources.of(telemetry, TypeInformation.of(ParsedTelemetry.class)),
            TestSources.of(
                List.of(new DeviceUpdate("someone-else", other)),
                TypeInformation.of(DeviceUpdate.class)),
            TestSources.of(signals, AnomalyTypes.PARSED_INPUT),
            ackOnceOpen(alerts, ackId),
            List.of(new NamedSink<>("test-alert-sink", alerts)),
            deadLetters);
    StreamExecutionEnvironment env = TestEnvironments.heap(1);
    job.build(env);
    env.execute("anomaly-in-memory");

    List<Alert> received = alerts.received();
    String hotId = Alert.idFor("hot-1", "hot", "temperature", String.valueOf(T + 20_000));
    assertThat(received)
        .filteredOn(a -> a.getDeviceId().equals("hot-1"))
        .extracting(Alert::getAlertId, Alert::getState, Alert::getCount, Alert::getTs)
        .containsExactly(
            tuple(hotId, AlertState.OPEN, 1L, T + 20_000),
            tuple(hotId, AlertState.OPEN, 2L, T + 30_000),
            tuple(hotId, AlertState.OPEN, 3L, T + 40_000),
            tuple(hotId, AlertState.RESOLVED, 3L, T + 50_000));
    assertThat(received)
        .filteredOn(a -> a.getDeviceId().equals("quiet-1"))
        .extracting(Alert::getType, Alert::getState, Alert::getTs)
        .containsExactly(
            tuple("offline", AlertState.OPEN, T + 180_000),
            tuple("offline", AlertState.RESOLVED, T + 300_000));
    assertThat(received)
        .filteredOn(a -> a.getDeviceId().equals("ack-1"))
        .extracting(Alert::getAlertId, Alert::getState)
        .containsExactly(tuple(ackId, AlertState.OPEN), tuple(ackId, AlertState.ACKNOWLEDGED));
    assertThat(received)
        .filteredOn(a -> a.getDeviceId().equals("rise-1"))
        .extracting(Alert::getType, Alert::getRule, Alert::getState, Alert::getValue)
        .containsExactly(tuple("rising", "climb", AlertState.OPEN, 4.0));
    assertThat(received)
        .filteredOn(a -> a.getDeviceId().equals("ext-1"))
        .extracting(Alert::getType, Alert::getState)
        .containsExactly(tuple("signal", AlertState.OPEN), tuple("signal", AlertState.RESOLVED));
    assertThat(deadLetters.received())
        .singleElement()
        .satisfies(d -> assertThat(d.getReason()).isEqualTo("invalid_signal"))
        .satisfies(d -> assertThat(d.getDetail()).contains("MAYBE"));
  }

  private static ParsedTelemetry reading(String device, long ts, String metric, double value) {
    return ParsedTelemetry.valid(
        new Telemetry(device, ts, null, new HashMap<>(Map.of(metric, value))));
  }

  private static List<ParsedInput> parse(AlertInputDeserializationSchema.Kind kind, String... json)
      throws Exception {
    AlertInputDeserializationSchema schema = new AlertInputDeserializationSchema(kind);
    List<ParsedInput> out = new ArrayList<>();
    long offset = 0;
    for (String value : json) {
      schema.deserialize(
          new ConsumerRecord<>(
              "iot.alert.signals", 0, offset++, null, value.getBytes(StandardCharsets.UTF_8)),
          new ListCollector<>(out));
    }
    return out;
  }

  /**
   * An action source whose one ACK is emitted only once the alert it acknowledges has been written:
   * the actions come from users who saw the alert, never before it.
   */
  private static DataGeneratorSource<ParsedInput> ackOnceOpen(
      CollectingSink<Alert> alerts, String alertId) {
    return new DataGeneratorSource<>(
        new AckWhenSeen(alerts, alertId), 1, RateLimiterStrategy.noOp(), AnomalyTypes.PARSED_INPUT);
  }

  private static final class AckWhenSeen implements GeneratorFunction<Long, ParsedInput> {
    private static final long serialVersionUID = 1L;
    private final CollectingSink<Alert> alerts;
    private final String alertId;

    AckWhenSeen(CollectingSink<Alert> alerts, String alertId) {
      this.alerts = alerts;
      this.alertId = alertId;
    }

    @Override
    public ParsedInput map(Long index) throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (alerts.received().stream().noneMatch(a -> a.getAlertId().equals(alertId))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("alert " + alertId + " never arrived");
        }
        Thread.onSpinWait();
        Thread.sleep(5);
      }
      return parse(
              AlertInputDeserializationSchema.Kind.ACTION,
              "{\"alertId\":\""
                  + alertId
                  + "\",\"deviceId\":\"ack-1\",\"action\":\"ACK\",\"ts\":"
                  + (T + 20_000)
                  + "}")
          .get(0);
    }
  }
}
