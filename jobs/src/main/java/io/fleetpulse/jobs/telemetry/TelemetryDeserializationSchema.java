package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetter;
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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

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
      out.collect(ParsedTelemetry.invalid(deadLetter(record, e.reason(), e.getMessage())));
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

  /** Builds the dead letter for a record rejected for {@code reason}. */
  public static DeadLetter deadLetter(
      ConsumerRecord<byte[], byte[]> record, RejectReason reason, String detail) {
    DeadLetter letter = new DeadLetter();
    letter.setKey(record.key());
    letter.setValue(record.value());
    letter.setReason(reason.code());
    letter.setDetail(detail);
    letter.setSourceTopic(record.topic());
    letter.setSourcePartition(record.partition());
    letter.setSourceOffset(record.offset());
    letter.setFailedAt(System.currentTimeMillis());
    Headers headers = record.headers();
    Header[] all = headers.toArray();
    String[] names = new String[all.length];
    byte[][] values = new byte[all.length][];
    for (int i = 0; i < all.length; i++) {
      names[i] = all[i].key();
      values[i] = all[i].value();
    }
    letter.setHeaderNames(names);
    letter.setHeaderValues(values);
    return letter;
  }

  @Override
  public TypeInformation<ParsedTelemetry> getProducedType() {
    return TypeInformation.of(ParsedTelemetry.class);
  }
}
