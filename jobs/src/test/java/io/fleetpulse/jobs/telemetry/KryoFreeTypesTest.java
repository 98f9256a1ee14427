package io.fleetpulse.jobs.telemetry;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.TelemetryAggregate;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KryoFreeTypesTest {

  @ParameterizedTest
  @ValueSource(
      classes = {
        ParsedTelemetry.class,
        DeadLetter.class,
        DeviceWindowAccumulator.class,
        DeviceTime.class,
        DeviceState.class,
        io.fleetpulse.jobs.enrich.RecentMessages.class,
        MetricStats.class,
        TelemetryAggregate.class
      })
  void typeIsSerializedWithoutKryo(Class<?> type) {
    SerializerConfigImpl noGenericTypes = new SerializerConfigImpl();
    noGenericTypes.setGenericTypes(false);

    assertThatCode(() -> TypeInformation.of(type).createSerializer(noGenericTypes))
        .doesNotThrowAnyException();
  }

  @Test
  void telemetryIsSerializedWithoutKryo() {
    SerializerConfigImpl noGenericTypes = new SerializerConfigImpl();
    noGenericTypes.setGenericTypes(false);

    assertThatCode(() -> ModelTypes.TELEMETRY.createSerializer(noGenericTypes))
        .doesNotThrowAnyException();
  }

  @Test
  void theCheckFailsForATypeThatNeedsKryo() {
    SerializerConfigImpl noGenericTypes = new SerializerConfigImpl();
    noGenericTypes.setGenericTypes(false);

    assertThatThrownBy(
            () ->
                TypeInformation.of(io.fleetpulse.model.Telemetry.class)
                    .createSerializer(noGenericTypes))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
