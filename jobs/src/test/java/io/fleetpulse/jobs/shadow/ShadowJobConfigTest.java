package io.fleetpulse.jobs.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ReadmeTable;
import io.fleetpulse.model.FleetTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShadowJobConfigTest {

  private static final String[] KAFKA = {"--kafka.bootstrap.servers", "k:9092"};

  @Test
  void defaultsFollowTheDesign() {
    ShadowJobConfig config = ShadowJobConfig.load(KAFKA, Map.of());

    assertThat(config.kafka().groupId()).isEqualTo("fleetpulse-shadow");
    assertThat(config.maxDocumentBytes()).isEqualTo(8 * 1024);
    assertThat(config.stateTtl()).isNull();
    assertThat(config.topics())
        .containsExactly(
            "iot.shadow.reported",
            "iot.shadow.desired",
            "iot.shadows",
            "iot.shadow.delta",
            "iot.shadow.responses",
            "iot.shadow.dlq");
  }

  @Test
  void everyTopicTheJobNeedsIsOneThatTopicsCreateMakes() {
    var created = FleetTopics.ALL.stream().map(FleetTopics.Topic::name).toList();
    assertThat(created).containsAll(ShadowJobConfig.load(KAFKA, Map.of()).topics());
    assertThat(FleetTopics.SHADOWS.compacted()).isTrue();
  }

  @Test
  void theTtlAndTheSizeLimitAreRead() {
    ShadowJobConfig config =
        ShadowJobConfig.load(
            new String[] {
              "--kafka.bootstrap.servers", "k:9092",
              "--shadow.state-ttl", "30d",
              "--shadow.max-document-bytes", "16384"
            },
            Map.of());

    assertThat(config.stateTtl()).isEqualTo(Duration.ofDays(30));
    assertThat(config.maxDocumentBytes()).isEqualTo(16384);
  }

  @Test
  void badSettingsAreNamedAllAtOnce() {
    assertThatThrownBy(
            () ->
                ShadowJobConfig.load(
                    new String[] {
                      "--kafka.bootstrap.servers", "k:9092",
                      "--shadow.state-ttl", "0",
                      "--shadow.max-document-bytes", "-1",
                      "--shadow.colour", "red"
                    },
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("shadow.state-ttl")
        .hasMessageContaining("shadow.max-document-bytes")
        .hasMessageContaining("shadow.colour");
  }

  @Test
  void exactlyOnceNeedsCheckpointsWithinTheTransactionTimeout() {
    assertThatThrownBy(
            () ->
                ShadowJobConfig.load(
                    new String[] {
                      "--kafka.bootstrap.servers", "k:9092",
                      "--kafka.delivery.guarantee", "EXACTLY_ONCE",
                      "--checkpoint.interval", "20m"
                    },
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("checkpoint.interval");
  }

  @Test
  void theReadmeTableMatchesTheDeclarations() {
    assertThat(
            ReadmeTable.differences(
                Path.of("..", "README.md"), "shadow-job", ShadowJobConfig.OPTIONS))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(classes = {ShadowRequest.class, ShadowMessage.class})
  void typeIsSerializedWithoutKryo(Class<?> type) {
    SerializerConfigImpl noGenericTypes = new SerializerConfigImpl();
    noGenericTypes.setGenericTypes(false);

    assertThatCode(() -> TypeInformation.of(type).createSerializer(noGenericTypes))
        .doesNotThrowAnyException();
  }
}
