package io.fleetpulse.jobs.telemetry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetterSerializationSchema;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.model.DeadLetterHeaders;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class TelemetryDeserializationSchemaTest {

  private static final long TS = System.currentTimeMillis();
  private static final byte[] VALID =
      ("{\"deviceId\":\"d-1\",\"ts\":" + TS + ",\"metrics\":{\"t\":1}}").getBytes(UTF_8);

  @Test
  void validTelemetryCarriesItsSourcePartitionAndOffset() {
    ParsedTelemetry parsed = parse("d-1".getBytes(UTF_8), VALID);

    assertThat(parsed.isValid()).isTrue();
    assertThat(parsed.getTelemetry().getSourcePartition()).isEqualTo(3);
    assertThat(parsed.getTelemetry().getSourceOffset()).isEqualTo(42);
  }

  @Test
  void a600KbKeyIsAnInvalidKeyCutToFitTheDeadLetterTopic() {
    byte[] key = "d-1".repeat(200_000).getBytes(UTF_8);

    DeadLetter letter = parse(key, VALID).getDeadLetter();

    assertThat(letter.getReason()).isEqualTo("invalid_key");
    assertThat(letter.getDetail()).hasSizeLessThan(200);
    assertThat(letter.getKey()).hasSize(DeadLetters.MAX_KEY_BYTES);
    assertThat(letter.isTruncated()).isTrue();
    assertThat(letter.getSourceOffset()).isEqualTo(42);
  }

  @Test
  void aKeyOfInvalidUtf8IsAnInvalidKey() {
    DeadLetter letter = parse(new byte[] {'d', (byte) 0xC3, (byte) 0x28}, VALID).getDeadLetter();

    assertThat(letter.getReason()).isEqualTo("invalid_key");
    assertThat(letter.isTruncated()).isFalse();
  }

  @Test
  void aNullKeyIsStillChecked() {
    assertThat(parse(null, VALID).getDeadLetter().getReason()).isEqualTo("device_id_mismatch");
  }

  @Test
  void aOneMegabyteValueIsDeadLetteredTruncatedAndFlagged() {
    byte[] value = new byte[1024 * 1024];
    java.util.Arrays.fill(value, (byte) 'x');

    DeadLetter letter = parse("d-1".getBytes(UTF_8), value).getDeadLetter();
    ProducerRecord<byte[], byte[]> out =
        new DeadLetterSerializationSchema("dlq", "telemetry-job").serialize(letter, null, null);

    assertThat(letter.getReason()).isEqualTo("payload_too_large");
    assertThat(out.value()).hasSize(DeadLetters.MAX_VALUE_BYTES);
    assertThat(new String(out.headers().lastHeader(DeadLetterHeaders.TRUNCATED).value(), UTF_8))
        .isEqualTo("true");
  }

  @Test
  void aKeyNamingAnotherDeviceIsAMismatch() {
    DeadLetter letter = parse("d-2".getBytes(UTF_8), VALID).getDeadLetter();

    assertThat(letter.getReason()).isEqualTo("device_id_mismatch");
    assertThat(letter.isTruncated()).isFalse();
  }

  @Test
  void aBatchUploadBecomesOneReadingPerRecordAndABadRecordOneDeadLetterWithItsIndex() {
    byte[] batch =
        ("{\"deviceId\":\"d-1\",\"records\":[{\"ts\":"
                + TS
                + ",\"metrics\":{\"t\":1}},{\"ts\":\"yesterday\",\"metrics\":{\"t\":2}},"
                + "{\"ts\":"
                + (TS - 1)
                + ",\"metrics\":{\"t\":3}}]}")
            .getBytes(UTF_8);

    List<ParsedTelemetry> out = parseAll("d-1".getBytes(UTF_8), batch);

    assertThat(out).hasSize(3);
    DeadLetter letter = out.get(0).getDeadLetter();
    assertThat(letter.getReason()).isEqualTo("invalid_ts");
    assertThat(letter.getDetail()).startsWith("records[1]: ");
    assertThat(letter.getValue()).isEqualTo(batch);
    assertThat(letter.getHeaderNames()).contains(TelemetryDeadLetters.RECORD_INDEX);
    assertThat(out.subList(1, 3))
        .extracting(p -> p.getTelemetry().getTs(), p -> p.getTelemetry().getSourceOffset())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(TS - 1, 42L),
            org.assertj.core.groups.Tuple.tuple(TS, 42L));
  }

  @Test
  void aBatchUnderAnotherDevicesKeyIsOneMismatch() {
    byte[] batch =
        ("{\"deviceId\":\"d-1\",\"records\":[{\"ts\":" + TS + ",\"metrics\":{\"t\":1}}]}")
            .getBytes(UTF_8);

    assertThat(parse("d-2".getBytes(UTF_8), batch).getDeadLetter().getReason())
        .isEqualTo("device_id_mismatch");
  }

  private static ParsedTelemetry parse(byte[] key, byte[] value) {
    List<ParsedTelemetry> out = parseAll(key, value);
    assertThat(out).hasSize(1);
    return out.get(0);
  }

  private static List<ParsedTelemetry> parseAll(byte[] key, byte[] value) {
    TelemetryDeserializationSchema schema = new TelemetryDeserializationSchema(64 * 1024, 60_000);
    schema.open(null);
    List<ParsedTelemetry> out = new ArrayList<>();
    schema.deserialize(
        new ConsumerRecord<>("raw", 3, 42, key, value),
        new Collector<>() {
          @Override
          public void collect(ParsedTelemetry record) {
            out.add(record);
          }

          @Override
          public void close() {}
        });
    return out;
  }
}
