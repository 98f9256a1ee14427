package io.fleetpulse.jobs.telemetry;

import static org.assertj.core.api.Assertions.assertThatCode;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KryoFreeTypesTest {

  @ParameterizedTest
  @ValueSource(
      classes = {
        Telemetry.class,
        ParsedTelemetry.class,
        DeadLetter.class,
        DeviceWindowAccumulator.class,
        MetricStats.class,
        TelemetryAggregate.class
      })
  void typeIsSerializedWithoutKryo(Class<?> type) {
    SerializerConfigImpl noGenericTypes = new SerializerConfigImpl();
    noGenericTypes.setGenericTypes(false);

    assertThatCode(() -> TypeInformation.of(type).createSerializer(noGenericTypes))
        .doesNotThrowAnyException();
  }
}
