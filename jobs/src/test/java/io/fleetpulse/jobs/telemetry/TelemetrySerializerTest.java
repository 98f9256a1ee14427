package io.fleetpulse.jobs.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.model.Telemetry;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class TelemetrySerializerTest {

  @Test
  void anEnrichedRecordSurvivesARoundTripWithEveryField() throws IOException {
    Telemetry t = new Telemetry("d-1", 1_764_331_200_123L, 17L, Map.of("t", 21.7, "b", 87.0));
    t.setType("sensor");
    t.setSite("site-1");
    t.setFirmware("1.2");
    t.setStatus("ACTIVE");
    t.setSourcePartition(3);
    t.setSourceOffset(42);

    Telemetry back = roundTrip(t);

    assertThat(back).isEqualTo(t);
    assertThat(back.getSourcePartition()).isEqualTo(3);
    assertThat(back.getSourceOffset()).isEqualTo(42);
  }

  @Test
  void stringsBeyondLatin1SurviveARoundTrip() throws IOException {
    Telemetry t = new Telemetry("d-é", 5, 1L, Map.of("温度", 1.0, "ü", 2.0));
    t.setSite("Zürich 🏭");

    assertThat(roundTrip(t)).isEqualTo(t);
  }

  @Test
  void nullFieldsStayNull() throws IOException {
    Telemetry t = new Telemetry(null, 5, null, null);

    Telemetry back = roundTrip(t);

    assertThat(back).isEqualTo(t);
    assertThat(back.getSeq()).isNull();
    assertThat(back.getMetrics()).isNull();
    assertThat(back.getStatus()).isNull();
    assertThat(back.getSourceOffset()).isEqualTo(-1);
  }

  @Test
  void manyMetricsAndCopyKeepTheirValues() throws IOException {
    Map<String, Double> metrics = new HashMap<>();
    for (int i = 0; i < 500; i++) {
      metrics.put("m" + i, i * 1.5);
    }
    Telemetry t = new Telemetry("d", 1, 1L, metrics);

    assertThat(roundTrip(t).getMetrics()).isEqualTo(metrics);
    Telemetry copy = new TelemetrySerializer().copy(t);
    assertThat(copy).isEqualTo(t);
    assertThat(copy.getMetrics()).isNotSameAs(metrics);
  }

  @Test
  void theSnapshotRestoresACompatibleSerializer() {
    assertThat(
            new TelemetrySerializer()
                .snapshotConfiguration()
                .resolveSchemaCompatibility(new TelemetrySerializer.Snapshot())
                .isCompatibleAsIs())
        .isTrue();
    assertThat(new TelemetrySerializer.Snapshot().restoreSerializer())
        .isInstanceOf(TelemetrySerializer.class);
  }

  @Test
  void oneInstanceReadsARepeatedDeviceIdAndMetricNameAsTheSameString() throws IOException {
    TelemetrySerializer serializer = new TelemetrySerializer();
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(new Telemetry("dev-1", 1L, 1L, Map.of("temp", 1.0)), out);
    serializer.serialize(new Telemetry("dev-2", 2L, 2L, Map.of("temp", 2.0)), out);
    serializer.serialize(new Telemetry("dev-1", 3L, 3L, Map.of("temp", 3.0)), out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());

    Telemetry first = serializer.deserialize(in);
    Telemetry second = serializer.deserialize(in);
    Telemetry third = serializer.deserialize(in);

    assertThat(second.getDeviceId()).isEqualTo("dev-2");
    assertThat(third.getDeviceId()).isEqualTo("dev-1").isSameAs(first.getDeviceId());
    assertThat(third.getMetrics().keySet().iterator().next())
        .isSameAs(first.getMetrics().keySet().iterator().next());
  }

  @Test
  void stringsSharingACacheSlotAreStillReadExactly() throws IOException {
    StringCache oneSlot = new StringCache(1);
    DataOutputSerializer out = new DataOutputSerializer(64);
    TelemetrySerializer serializer = new TelemetrySerializer();
    Telemetry[] records = {
      new Telemetry("Aa", 1L, null, null),
      new Telemetry("BB", 1L, null, null),
      new Telemetry("Aa", 1L, null, null),
      new Telemetry("A\u0100", 1L, null, null)
    };
    for (Telemetry t : records) {
      serializer.serialize(t, out);
    }
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    for (Telemetry t : records) {
      in.readUnsignedByte(); // the flags; the device id follows
      assertThat(oneSlot.read(in)).isEqualTo(t.getDeviceId());
      in.skipBytesToRead(2 * Long.BYTES + Integer.BYTES); // ts, source partition and offset
    }
  }

  private static Telemetry roundTrip(Telemetry t) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    new TelemetrySerializer().serialize(t, out);
    DataOutputSerializer copied = new DataOutputSerializer(64);
    new TelemetrySerializer().copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
    Telemetry back =
        new TelemetrySerializer().deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    // The copied bytes may order the metrics differently, but they say the same.
    assertThat(
            new TelemetrySerializer()
                .deserialize(new DataInputDeserializer(copied.getCopyOfBuffer())))
        .isEqualTo(back);
    return back;
  }
}
