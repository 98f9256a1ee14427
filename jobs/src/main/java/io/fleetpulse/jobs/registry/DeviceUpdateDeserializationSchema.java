package io.fleetpulse.jobs.registry;

import io.fleetpulse.model.Device;
import io.fleetpulse.model.ModelJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the compacted {@code iot.devices} topic: key = device id, value = Device JSON, no (or an
 * empty) value = deleted. An unreadable record is logged and counted ({@code registryRejected}),
 * never fatal.
 */
public final class DeviceUpdateDeserializationSchema
    implements KafkaRecordDeserializationSchema<DeviceUpdate> {

  private static final Logger LOG =
      LoggerFactory.getLogger(DeviceUpdateDeserializationSchema.class);

  private transient Counter rejected;

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    rejected = context.getMetricGroup().counter("registryRejected");
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DeviceUpdate> out) {
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    if (record.value() == null || record.value().length == 0) {
      if (key != null) {
        out.collect(new DeviceUpdate(key, null).at(record.partition(), record.offset()));
      }
      return;
    }
    try {
      Device device = ModelJson.fromBytes(record.value(), Device.class);
      // The key is the record's identity in the compacted topic (its tombstone deletes by key):
      // a value naming another device must not move the entry elsewhere.
      String id = key != null ? key : device.getDeviceId();
      if (id == null) {
        throw new IllegalArgumentException("neither the key nor the value names the device");
      }
      if (device.getDeviceId() != null && !device.getDeviceId().equals(id)) {
        throw new IllegalArgumentException(
            "the value names device '"
                + DeviceIdsText.abbreviate(device.getDeviceId())
                + "' but the record key is '"
                + DeviceIdsText.abbreviate(id)
                + "'");
      }
      device.setDeviceId(id);
      out.collect(new DeviceUpdate(id, device).at(record.partition(), record.offset()));
    } catch (IllegalArgumentException e) {
      if (rejected != null) {
        rejected.inc();
      }
      LOG.warn(
          "Skipping device registry record {}/{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.getMessage());
    }
  }

  @Override
  public TypeInformation<DeviceUpdate> getProducedType() {
    return TypeInformation.of(DeviceUpdate.class);
  }

  /** Keeps log lines short whatever a record carries. */
  private static final class DeviceIdsText {
    static String abbreviate(String id) {
      return id.length() <= 128 ? id : id.substring(0, 128) + "...";
    }
  }
}
