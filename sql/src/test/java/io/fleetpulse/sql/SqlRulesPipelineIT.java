package io.fleetpulse.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.devstack.fleet.SimulatedFleet;
import io.fleetpulse.devstack.fleet.TestTimes;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.telemetry.TelemetryJob;
import io.fleetpulse.jobs.telemetry.TelemetryJobConfig;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Raw telemetry through the TelemetryJob and a shipped rule to signals, all on real Kafka. */
@ExtendWith(KafkaExtension.class)
class SqlRulesPipelineIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  @Test
  void aHotReadingBecomesOneSignalOnTheSignalsTopic(KafkaTestClient kafka) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    TelemetryJobConfig telemetry =
        TelemetryJobConfig.load(
            new String[] {
              "--kafka.bootstrap.servers", kafka.bootstrapServers(),
              "--kafka.group.id", "telemetry-" + run,
              "--topic.telemetry.raw", "raw-" + run,
              "--topic.telemetry.dlq", "dlq-" + run,
              "--topic.telemetry.agg", "agg-" + run,
              "--topic.telemetry.enriched", "enriched-" + run,
              "--topic.devices", "devices-" + run,
              "--checkpoint.interval", "1s"
            },
            Map.of());
    kafka.createTopics(2, telemetry.topics(), List.of(telemetry.devicesTopic()));
    kafka.createTopics(1, "signals-" + run);
    long t0 = TestTimes.minuteAlignedHourAgo();
    SimulatedFleet fleet = new SimulatedFleet(3, "boiler");
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (Telemetry t : fleet.readings(t0, 1_000, 5)) {
      t.setMetrics(Map.of("temperature", 20.0));
      records.add(SimulatedFleet.toRecord(telemetry.rawTopic(), t));
    }
    Telemetry hot = fleet.reading(1, t0 + 10_000, 99);
    hot.setMetrics(Map.of("temperature", 91.5));
    records.add(SimulatedFleet.toRecord(telemetry.rawTopic(), hot));
    kafka.produce(records);

    StreamExecutionEnvironment jobEnv = environment(TelemetryJob.flinkConfiguration(telemetry));
    TelemetryJob.kafkaJob(telemetry, true).build(jobEnv);
    jobEnv.execute("telemetry-for-rules");

    SqlRulesConfig rules =
        SqlRulesConfig.load(
            new String[] {
              "--kafka.bootstrap.servers", kafka.bootstrapServers(),
              "--kafka.group.id", "rules-" + run,
              "--topic.telemetry.enriched", telemetry.enrichedTopic(),
              "--topic.telemetry.agg", telemetry.aggregateTopic(),
              "--topic.devices", telemetry.devicesTopic(),
              "--topic.alert.signals", "signals-" + run,
              "--sql.rules", "temperature_high"
            },
            Map.of());
    StreamTableEnvironment tEnv = StreamTableEnvironment.create(environment(new Configuration()));
    TableResult job =
        SqlRulesJob.statements(tEnv, RuleSet.load(Path.of("")).only(rules.rules()), rules)
            .execute();
    try {
      List<ConsumerRecord<byte[], byte[]>> signals =
          kafka.consume("signals-" + run, 1, Duration.ofSeconds(60));

      assertThat(signals).hasSize(1);
      JsonNode signal = ModelJson.mapper().readTree(signals.get(0).value());
      assertThat(new String(signals.get(0).key(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo(hot.getDeviceId());
      assertThat(signal.get("rule").asText()).isEqualTo("temperature_high");
      assertThat(signal.get("deviceId").asText()).isEqualTo(hot.getDeviceId());
      assertThat(signal.get("value").asDouble()).isEqualTo(91.5);
      assertThat(signal.get("ts").asLong()).isEqualTo(hot.getTs());
      assertThat(signal.get("state").asText()).isEqualTo("ACTIVE");
      assertThat(signal.get("signalId").asText())
          .isEqualTo("temperature_high|" + hot.getDeviceId() + "|" + hot.getTs());
    } finally {
      job.getJobClient().orElseThrow().cancel().get();
    }
  }

  private static StreamExecutionEnvironment environment(Configuration base) {
    Configuration conf = new Configuration(base);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    return env;
  }
}
