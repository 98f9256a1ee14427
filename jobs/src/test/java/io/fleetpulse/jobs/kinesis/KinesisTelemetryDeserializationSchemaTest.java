package io.fleetpulse.jobs.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.jobs.telemetry.ParsedTelemetry;
import io.fleetpulse.jobs.telemetry.TelemetryDeadLetters;
import io.fleetpulse.model.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Record;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class KinesisTelemetryDeserializationSchemaTest {

  private static final String STREAM = "arn:aws:kinesis:eu-west-1:000000000000:stream/telemetry";
  private static final String SHARD = "shardId-000000000003";

  private final KinesisTelemetryDeserializationSchema schema =
      new KinesisTelemetryDeserializationSchema(256 * 1024, 86_400_000L);

  @Test
  void aBatchedUploadGivesEachReadingInTsOrderWithItsShard() {
    List<ParsedTelemetry> out =
        deserialize(
            "{\"deviceId\":\"k-1\",\"records\":["
                + "{\"ts\":1764331202000,\"seq\":2,\"metrics\":{\"t\":2}},"
                + "{\"ts\":1764331201000,\"seq\":1,\"metrics\":{\"t\":1}}]}");

    assertThat(out).allMatch(ParsedTelemetry::isValid);
    assertThat(out).extracting(p -> p.getTelemetry().getSeq()).containsExactly(1L, 2L);
    assertThat(out)
        .allSatisfy(
            p -> {
              assertThat(p.getTelemetry().getDeviceId()).isEqualTo("k-1");
              assertThat(p.getTelemetry().getSourcePartition()).isEqualTo(3);
            });
  }

  @Test
  void aBadRecordOfABatchIsADeadLetterOfItsOwnAndTheOthersAreKept() {
    List<ParsedTelemetry> out =
        deserialize(
            "{\"deviceId\":\"k-1\",\"records\":["
                + "{\"ts\":1764331201000,\"metrics\":{\"t\":1}},"
                + "{\"metrics\":{\"t\":2}}]}");

    assertThat(out).filteredOn(ParsedTelemetry::isValid).hasSize(1);
    ParsedTelemetry refused = out.stream().filter(p -> !p.isValid()).findFirst().orElseThrow();
    assertThat(refused.getDeadLetter().getDetail()).startsWith("records[1]: ");
    assertThat(refused.getDeadLetter().getSourceTopic()).isEqualTo("telemetry");
    assertThat(Arrays.asList(refused.getDeadLetter().getHeaderNames()))
        .contains(
            TelemetryDeadLetters.RECORD_INDEX, KinesisTelemetryDeserializationSchema.SHARD_HEADER);
  }

  @Test
  void aDeadLetterIsCutToFitTheDlqAsAKafkaOneIsAndNamesItsOrigin() {
    KinesisTelemetryDeserializationSchema small = new KinesisTelemetryDeserializationSchema(10, 0);
    String payload = "{\"deviceId\":\"k-1\",\"pad\":\"" + "x".repeat(300 * 1024) + "\"}";
    List<ParsedTelemetry> out = deserialize(small, payload);

    DeadLetter letter = out.get(0).getDeadLetter();
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    ConsumerRecord<byte[], byte[]> fromKafka =
        new ConsumerRecord<>("telemetry", 3, 0L, "k-1".getBytes(StandardCharsets.UTF_8), bytes);
    DeadLetter kafka =
        DeadLetters.of(fromKafka, RejectReason.PAYLOAD_TOO_LARGE, letter.getDetail());
    assertThat(letter.getReason()).isEqualTo(RejectReason.PAYLOAD_TOO_LARGE.code());
    assertThat(letter.getValue()).isEqualTo(kafka.getValue()).hasSize(DeadLetters.MAX_VALUE_BYTES);
    assertThat(letter.isTruncated()).isTrue().isEqualTo(kafka.isTruncated());
    assertThat(letter.getKey()).isEqualTo(kafka.getKey());
    assertThat(letter.getSourceTopic()).isEqualTo("telemetry");
    assertThat(letter.getSourcePartition()).isEqualTo(3);
    assertThat(letter.getSourceOffset()).isEqualTo(-1);
    assertThat(Arrays.asList(letter.getHeaderNames()))
        .containsExactly(
            KinesisTelemetryDeserializationSchema.STREAM_HEADER,
            KinesisTelemetryDeserializationSchema.SHARD_HEADER,
            KinesisTelemetryDeserializationSchema.SEQUENCE_HEADER,
            KinesisTelemetryDeserializationSchema.PARTITION_KEY_HEADER);
  }

  private List<ParsedTelemetry> deserialize(String json) {
    return deserialize(schema, json);
  }

  private static List<ParsedTelemetry> deserialize(
      KinesisTelemetryDeserializationSchema schema, String json) {
    Record record =
        Record.builder()
            .data(SdkBytes.fromString(json, StandardCharsets.UTF_8))
            .partitionKey("k-1")
            .sequenceNumber("49590338271490256608559692538361571095921575989136588898")
            .build();
    List<ParsedTelemetry> out = new ArrayList<>();
    schema.deserialize(
        record,
        STREAM,
        SHARD,
        new Collector<>() {
          @Override
          public void collect(ParsedTelemetry p) {
            out.add(p);
          }

          @Override
          public void close() {}
        });
    return out;
  }
}
