package io.fleetpulse.jobs.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ReadmeTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TelemetryJobConfigTest {

  private static final String[] KAFKA = {"--kafka.bootstrap.servers", "k:9092"};

  @Test
  void defaultsFollowTheDesign() {
    TelemetryJobConfig config = TelemetryJobConfig.load(KAFKA, Map.of());

    assertThat(config.rawTopic()).isEqualTo("iot.telemetry.raw");
    assertThat(config.deadLetterTopic()).isEqualTo("iot.telemetry.dlq");
    assertThat(config.devicesTopic()).isEqualTo("iot.devices");
    assertThat(config.windowSize()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.outOfOrderness()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.dedupeHorizon()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.stateBackend()).isEqualTo("hashmap");
    assertThat(config.trendWindowSize()).isNull();
    assertThat(config.influx()).isNull();
  }

  @Test
  void missingKafkaServersFailNamingTheKey() {
    assertThatThrownBy(() -> TelemetryJobConfig.load(new String[0], Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kafka.bootstrap.servers");
  }

  @Test
  void aMisspelledKeyFailsNamingIt() {
    assertThatThrownBy(
            () ->
                TelemetryJobConfig.load(
                    new String[] {"--kafka.bootstrap.servers", "k:9092", "--window.sise", "1m"},
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("window.sise");
  }

  @Test
  void environmentSuppliesKeys() {
    TelemetryJobConfig config =
        TelemetryJobConfig.load(KAFKA, Map.of("FLEETPULSE_WINDOW_SIZE", "30s"));

    assertThat(config.windowSize()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aTrendSlideWithoutASizeFailsAtStartUp() {
    assertThatThrownBy(
            () ->
                TelemetryJobConfig.load(
                    new String[] {"--kafka.bootstrap.servers", "k", "--trend.window.slide", "1m"},
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("trend.window.size");
  }

  @Test
  void influxV1WithoutADatabaseFailsNamingTheKey() {
    assertThatThrownBy(
            () ->
                TelemetryJobConfig.load(
                    new String[] {"--kafka.bootstrap.servers", "k", "--influx.url", "http://i"},
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("influx.db");
  }

  @Test
  void anUnknownStateBackendFailsListingTheChoices() {
    assertThatThrownBy(
            () ->
                TelemetryJobConfig.load(
                    new String[] {"--kafka.bootstrap.servers", "k", "--state.backend", "memory"},
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("state.backend")
        .hasMessageContaining("ROCKSDB");
  }

  @Test
  void theTransactionalIdPrefixDefaultsToTheConfiguredGroupId() {
    TelemetryJobConfig config =
        TelemetryJobConfig.load(
            new String[] {"--kafka.bootstrap.servers", "k", "--kafka.group.id", "plant-7"},
            Map.of());

    assertThat(config.kafka().transactionalIdPrefix()).isEqualTo("plant-7");
  }

  @Test
  void aNegativeOutOfOrdernessFailsAtStartUp() {
    assertThatThrownBy(
            () ->
                TelemetryJobConfig.load(
                    new String[] {
                      "--kafka.bootstrap.servers", "k", "--watermark.out-of-orderness", "-5s"
                    },
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("watermark.out-of-orderness")
        .hasMessageContaining("negative");
  }

  @Test
  void aNegativeFutureSkewFailsAtStartUp() {
    assertThatThrownBy(
            () ->
                TelemetryJobConfig.load(
                    new String[] {
                      "--kafka.bootstrap.servers", "k", "--telemetry.max-future-skew", "-1h"
                    },
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("telemetry.max-future-skew");
  }

  @Test
  void aCheckpointIntervalAboveTheTransactionTimeoutFailsWithExactlyOnce() {
    assertThatThrownBy(
            () ->
                TelemetryJobConfig.load(
                    new String[] {
                      "--kafka.bootstrap.servers", "k",
                      "--kafka.delivery.guarantee", "EXACTLY_ONCE",
                      "--kafka.properties.transaction.timeout.ms", "60000",
                      "--checkpoint.interval", "2m"
                    },
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("checkpoint.interval")
        .hasMessageContaining("transaction.timeout.ms");
  }

  @Test
  void aPrefixedKeyComesFromTheEnvironment() {
    TelemetryJobConfig config =
        TelemetryJobConfig.load(
            KAFKA, Map.of("FLEETPULSE_KAFKA_PROPERTIES_SASL_JAAS_CONFIG", "secret"));

    assertThat(config.kafka().clientProperties()).containsEntry("sasl.jaas.config", "secret");
  }

  @Test
  void anEnvironmentVariableNamingNoKeyFailsNamingIt() {
    assertThatThrownBy(
            () -> TelemetryJobConfig.load(KAFKA, Map.of("FLEETPULSE_WINDOW_SIZZE", "1m")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("FLEETPULSE_WINDOW_SIZZE");
  }

  @Test
  void theReadmeTableMatchesTheDeclarations() {
    assertThat(
            ReadmeTable.differences(
                Path.of("..", "README.md"), "telemetry-job", TelemetryJobConfig.OPTIONS))
        .isEmpty();
  }
}
