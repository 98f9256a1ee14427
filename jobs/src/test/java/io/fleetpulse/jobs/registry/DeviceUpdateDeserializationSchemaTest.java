package io.fleetpulse.jobs.registry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.model.DeviceStatus;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DeviceUpdateDeserializationSchemaTest {

  @Test
  void aDeviceRecordBecomesAnUpdate() {
    List<DeviceUpdate> out =
        read("s-1", "{\"deviceId\":\"s-1\",\"site\":\"plant-1\",\"status\":\"RECALLED\"}");

    assertThat(out).hasSize(1);
    assertThat(out.get(0).getDevice().getSite()).isEqualTo("plant-1");
    assertThat(out.get(0).getDevice().getStatus()).isEqualTo(DeviceStatus.RECALLED);
  }

  @Test
  void aValueWithoutDeviceIdTakesItFromTheKey() {
    assertThat(read("s-2", "{\"site\":\"plant-2\"}"))
        .extracting(DeviceUpdate::getDeviceId)
        .containsExactly("s-2");
  }

  @Test
  void aValueNamingAnotherDeviceDoesNotOverrideTheKey() {
    // Before: the entry went to "s-9", so the tombstone of key "s-5" never deleted it.
    assertThat(read("s-5", "{\"deviceId\":\"s-9\",\"site\":\"plant-2\"}")).isEmpty();
    assertThat(read("s-5", "{\"deviceId\":\"s-5\",\"site\":\"plant-2\"}"))
        .extracting(DeviceUpdate::getDeviceId)
        .containsExactly("s-5");
  }

  @Test
  void aTombstoneOrAnEmptyValueDeletesTheDevice() {
    assertThat(read("s-3", null)).extracting(DeviceUpdate::isDeletion).containsExactly(true);
    assertThat(read("s-3", "")).extracting(DeviceUpdate::isDeletion).containsExactly(true);
  }

  @Test
  void anUnreadableRecordIsSkippedNotFatal() {
    assertThat(read("s-4", "{not json")).isEmpty();
    assertThat(read(null, "{\"site\":\"nowhere\"}")).isEmpty();
  }

  private static List<DeviceUpdate> read(String key, String value) {
    List<DeviceUpdate> out = new ArrayList<>();
    new DeviceUpdateDeserializationSchema()
        .deserialize(
            new ConsumerRecord<>(
                "iot.devices",
                0,
                0L,
                key == null ? null : key.getBytes(UTF_8),
                value == null ? null : value.getBytes(UTF_8)),
            new Collector<>() {
              @Override
              public void collect(DeviceUpdate update) {
                out.add(update);
              }

              @Override
              public void close() {}
            });
    return out;
  }
}
