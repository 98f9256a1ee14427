package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.model.DeviceIds;
import io.fleetpulse.model.InvalidMessageException;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryParser;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
  private transient PlainReadingScanner scanner;

  public TelemetryDeserializationSchema(int maxPayloadBytes, long maxFutureSkewMs) {
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxFutureSkewMs = maxFutureSkewMs;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    parser = new TelemetryParser(maxPayloadBytes, maxFutureSkewMs, System::currentTimeMillis);
    scanner = new PlainReadingScanner(maxPayloadBytes, maxFutureSkewMs, System::currentTimeMillis);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ParsedTelemetry> out) {
    if (parser == null) {
      open(null);
    }
    try {
      // The plain single reading of almost every message without Jackson; anything else (and
      // every error) through the full parser, which names the problem.
      Telemetry plain = scanner.scan(record.value());
      if (plain != null) {
        checkKey(record.key(), plain.getDeviceId());
        plain.setSourcePartition(record.partition());
        plain.setSourceOffset(record.offset());
        out.collect(ParsedTelemetry.valid(plain));
        return;
      }
      parser.parseAll(record.value(), new Readings(record, out));
    } catch (InvalidMessageException e) {
      out.collect(ParsedTelemetry.invalid(DeadLetters.of(record, e.reason(), e.getMessage())));
    }
  }

  /**
   * The readings of one Kafka record (one, or a batch's): each checked against the record's key and
   * tagged with its source coordinates; a bad record of a batch is a dead letter of its own, the
   * whole original message with the index of the bad record.
   */
  private static final class Readings implements TelemetryParser.Readings {
    private final ConsumerRecord<byte[], byte[]> record;
    private final Collector<ParsedTelemetry> out;

    Readings(ConsumerRecord<byte[], byte[]> record, Collector<ParsedTelemetry> out) {
      this.record = record;
      this.out = out;
    }

    @Override
    public void device(String deviceId) throws InvalidMessageException {
      checkKey(record.key(), deviceId);
    }

    @Override
    public void reading(Telemetry telemetry) {
      telemetry.setSourcePartition(record.partition());
      telemetry.setSourceOffset(record.offset());
      out.collect(ParsedTelemetry.valid(telemetry));
    }

    @Override
    public void invalid(int index, InvalidMessageException problem) {
      out.collect(
          ParsedTelemetry.invalid(
              TelemetryDeadLetters.withRecordIndex(
                  DeadLetters.of(
                      record, problem.reason(), "records[" + index + "]: " + problem.getMessage()),
                  index)));
    }
  }

  /**
   * The bridge keys each record by the device id in its MQTT topic, which the broker's ACL ties to
   * the device's identity; a payload naming another device, or a record without that key, is
   * spoofing or a bug. The key is checked for size and UTF-8 before it is decoded, and a detail
   * never repeats more of it than a device id can be long.
   */
  static void checkKey(byte[] key, String deviceId) throws InvalidMessageException {
    if (key == null) {
      throw new InvalidMessageException(
          RejectReason.DEVICE_ID_MISMATCH,
          "the record has no key; it must be the device id '" + deviceId + "'");
    }
    if (sameAscii(key, deviceId)) {
      // The common case, without a decoder per record: a parsed device id is ASCII only.
      return;
    }
    if (key.length > DeviceIds.MAX_LENGTH) {
      throw new InvalidMessageException(
          RejectReason.INVALID_KEY,
          "the record key is "
              + key.length
              + " bytes; a device id has at most "
              + DeviceIds.MAX_LENGTH);
    }
    String keyId;
    try {
      keyId =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(key))
              .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidMessageException(RejectReason.INVALID_KEY, "the record key is not UTF-8");
    }
    if (!keyId.equals(deviceId)) {
      throw new InvalidMessageException(
          RejectReason.DEVICE_ID_MISMATCH,
          "deviceId '" + deviceId + "' differs from the record key '" + keyId + "'");
    }
  }

  /** True when {@code key} is exactly the bytes of {@code id}, a valid (ASCII) device id. */
  private static boolean sameAscii(byte[] key, String id) {
    if (key.length != id.length()) {
      return false;
    }
    for (int i = 0; i < key.length; i++) {
      if (key[i] != (byte) id.charAt(i) || key[i] < 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public TypeInformation<ParsedTelemetry> getProducedType() {
    return TypeInformation.of(ParsedTelemetry.class);
  }
}
