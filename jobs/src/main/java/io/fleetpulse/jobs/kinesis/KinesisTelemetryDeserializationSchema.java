package io.fleetpulse.jobs.kinesis;

import io.fleetpulse.common.Utf8;
import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.jobs.telemetry.ParsedTelemetry;
import io.fleetpulse.jobs.telemetry.TelemetryDeadLetters;
import io.fleetpulse.model.InvalidMessageException;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryParser;
import java.util.Arrays;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kinesis.source.serialization.KinesisDeserializationSchema;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Record;
import org.apache.flink.util.Collector;

/**
 * Parses raw telemetry in the Kinesis source, as {@code TelemetryDeserializationSchema} does in the
 * Kafka source: the record's data is the device's payload as is — what an AWS IoT Core rule's
 * Kinesis action writes (the MQTT payload, with a partition key of the rule's choosing) — and a
 * record that fails becomes a dead letter naming its stream, shard and sequence number.
 *
 * <p>The partition key is not checked against the device id: IoT rules often use {@code
 * ${newuuid()}}. There the broker's policy authorizes the topic; a rule such as {@code SELECT *
 * FROM 'devices/+/telemetry' WHERE topic(2) = deviceId} refuses payloads naming another device.
 */
public final class KinesisTelemetryDeserializationSchema
    implements KinesisDeserializationSchema<ParsedTelemetry> {

  private static final long serialVersionUID = 1L;

  /** Dead-letter header: the ARN of the Kinesis stream the record came from. */
  public static final String STREAM_HEADER = "kinesis.stream";

  /** Dead-letter header: its shard id. */
  public static final String SHARD_HEADER = "kinesis.shard";

  /** Dead-letter header: its sequence number (a decimal of up to 128 bits). */
  public static final String SEQUENCE_HEADER = "kinesis.sequence-number";

  /** Dead-letter header: its partition key. */
  public static final String PARTITION_KEY_HEADER = "kinesis.partition-key";

  /** Dead-letter header: when Kinesis received it, epoch millis. */
  public static final String ARRIVAL_HEADER = "kinesis.arrival-time";

  private final int maxPayloadBytes;
  private final long maxFutureSkewMs;
  private transient TelemetryParser parser;

  public KinesisTelemetryDeserializationSchema(int maxPayloadBytes, long maxFutureSkewMs) {
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxFutureSkewMs = maxFutureSkewMs;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    parser = new TelemetryParser(maxPayloadBytes, maxFutureSkewMs, System::currentTimeMillis);
  }

  @Override
  public void deserialize(
      Record record, String stream, String shardId, Collector<ParsedTelemetry> out) {
    if (parser == null) {
      open(null);
    }
    byte[] data = record.data() == null ? new byte[0] : record.data().asByteArray();
    try {
      // Single readings and batched uploads, as from Kafka.
      parser.parseAll(
          data,
          new TelemetryParser.Readings() {
            @Override
            public void reading(Telemetry telemetry) {
              // Telemetry refused after parsing (late, recalled device) names the shard in its
              // dead letter; a sequence number does not fit the offset's long.
              telemetry.setSourcePartition(shardNumber(shardId));
              telemetry.setSourceOffset(-1);
              out.collect(ParsedTelemetry.valid(telemetry));
            }

            @Override
            public void invalid(int index, InvalidMessageException problem) {
              DeadLetter letter =
                  deadLetter(
                      record,
                      data,
                      stream,
                      shardId,
                      problem.reason(),
                      "records[" + index + "]: " + problem.getMessage());
              out.collect(
                  ParsedTelemetry.invalid(TelemetryDeadLetters.withRecordIndex(letter, index)));
            }
          });
    } catch (InvalidMessageException e) {
      out.collect(
          ParsedTelemetry.invalid(
              deadLetter(record, data, stream, shardId, e.reason(), e.getMessage())));
    }
  }

  /** The shard's number: {@code shardId-000000000007} is 7; -1 for an id of another form. */
  static int shardNumber(String shardId) {
    int dash = shardId == null ? -1 : shardId.lastIndexOf('-');
    try {
      return dash < 0 ? -1 : Integer.parseInt(shardId.substring(dash + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static DeadLetter deadLetter(
      Record record,
      byte[] data,
      String stream,
      String shardId,
      RejectReason reason,
      String detail) {
    String key = record.partitionKey();
    java.time.Instant arrival = record.approximateArrivalTimestamp();
    String[] names = {STREAM_HEADER, SHARD_HEADER, SEQUENCE_HEADER, PARTITION_KEY_HEADER};
    String[] values = {stream, shardId, record.sequenceNumber(), key};
    if (arrival != null) {
      names = Arrays.copyOf(names, 5);
      values = Arrays.copyOf(values, 5);
      names[4] = ARRIVAL_HEADER;
      values[4] = String.valueOf(arrival.toEpochMilli());
    }
    byte[][] bytes = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = values[i] == null ? null : Utf8.bytes(values[i]);
    }
    // The source names the stream by its ARN; dlq.source.topic carries the plain name. A
    // sequence number does not fit the offset's long: it is in a header.
    return DeadLetters.of(
        key == null ? null : Utf8.bytes(key),
        data,
        names,
        bytes,
        stream == null ? null : stream.substring(stream.lastIndexOf('/') + 1),
        shardNumber(shardId),
        -1,
        reason,
        detail);
  }

  @Override
  public TypeInformation<ParsedTelemetry> getProducedType() {
    return TypeInformation.of(ParsedTelemetry.class);
  }
}
