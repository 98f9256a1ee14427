package io.fleetpulse.jobs.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ReadmeTable;
import io.fleetpulse.model.Alert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnomalyJobConfigTest {

  private static final String[] KAFKA = {"--kafka.bootstrap.servers", "k:9092"};

  @Test
  void defaultsFollowTheDesign() {
    AnomalyJobConfig config = AnomalyJobConfig.load(KAFKA, Map.of());

    assertThat(config.telemetryTopic()).isEqualTo("iot.telemetry.enriched");
    assertThat(config.alertsTopic()).isEqualTo("iot.alerts");
    assertThat(config.kafka().groupId()).isEqualTo("fleetpulse-anomaly");
    assertThat(config.kafka().deliveryGuarantee().name()).isEqualTo("AT_LEAST_ONCE");
    assertThat(config.rules()).isEqualTo(AnomalyRules.NONE);
    assertThat(config.lifecycle().updateInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.topics()).contains("iot.alert.signals", "iot.alert.actions", "iot.alert.dlq");
  }

  @Test
  void aRulesFileIsReadAtStartAndItsMistakesNameTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.json");
    Files.writeString(
        file, "{\"rules\":[{\"name\":\"hot\",\"kind\":\"THRESHOLD\",\"metric\":\"t\"}]}");

    assertThatThrownBy(
            () ->
                AnomalyJobConfig.load(
                    new String[] {
                      "--kafka.bootstrap.servers", "k:9092", "--anomaly.rules-file", file.toString()
                    },
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("rules file " + file + ", rule 'hot': needs 'min' or 'max'");
  }

  @Test
  void theReadmeTableMatchesTheDeclarations() {
    assertThat(
            ReadmeTable.differences(
                Path.of("..", "README.md"), "anomaly-job", AnomalyJobConfig.OPTIONS))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      classes = {
        Alert.class,
        AlertInput.class,
        ParsedInput.class,
        AlertEpisode.class,
        ThresholdState.class,
        io.fleetpulse.model.Signal.class
      })
  void typeIsSerializedWithoutKryo(Class<?> type) {
    SerializerConfigImpl noGenericTypes = new SerializerConfigImpl();
    noGenericTypes.setGenericTypes(false);

    assertThatCode(() -> TypeInformation.of(type).createSerializer(noGenericTypes))
        .doesNotThrowAnyException();
  }
}
