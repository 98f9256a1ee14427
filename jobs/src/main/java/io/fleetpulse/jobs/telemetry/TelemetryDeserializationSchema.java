package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.model.InvalidMessageException;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryParser;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Parses raw telemetry in the Kafka source, so that watermarks come from event time per partition;
 * a record that fails becomes a {@link DeadLetter} instead of failing the job.
 */
public final class TelemetryDeserializationSchema
    implements KafkaRecordDeserializationSchema<ParsedTelemetry> {

  private final int maxPayloadBytes;
  private final long maxFutureSkewMs;
  private transient TelemetryParser parser;

  public TelemetryDeserializationSchema(int maxPayloadBytes, long maxFutureSkewMs) {
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxFutureSkewMs = maxFutureSkewMs;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    parser = new TelemetryParser(maxPayloadBytes, maxFutureSkewMs, System::currentTimeMillis);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ParsedTelemetry> out) {
    if (parser == null) {
      open(null);
    }
    try {
      Telemetry telemetry = parser.parse(record.value());
      checkKey(record.key(), telemetry.getDeviceId());
      out.collect(ParsedTelemetry.valid(telemetry));
    } catch (InvalidMessageException e) {
      out.collect(ParsedTelemetry.invalid(DeadLetters.of(record, e.reason(), e.getMessage())));
    }
  }

  /**
   * The bridge keys each record by the device id in its MQTT topic, which the broker's ACL ties to
   * the device's identity; a payload naming another device is spoofing or a bug.
   */
  private static void checkKey(byte[] key, String deviceId) throws InvalidMessageException {
    if (key == null) {
      return;
    }
    String keyId = new String(key, StandardCharsets.UTF_8);
    if (!keyId.equals(deviceId)) {
      throw new InvalidMessageException(
          RejectReason.DEVICE_ID_MISMATCH,
          "deviceId '" + deviceId + "' differs from the record key '" + keyId + "'");
    }
  }

  @Override
  public TypeInformation<ParsedTelemetry> getProducedType() {
    return TypeInformation.of(ParsedTelemetry.class);
  }
}
