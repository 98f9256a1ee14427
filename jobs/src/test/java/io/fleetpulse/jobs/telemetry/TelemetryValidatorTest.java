package io.fleetpulse.jobs.telemetry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Telemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class TelemetryValidatorTest {

  private static final long TS = 1_764_331_200_123L;

  @Test
  void validTelemetryPassesThroughUnchanged() throws Exception {
    try (var harness = harness()) {
      harness.processElement(parse("dev-1", json("dev-1", TS, "{\"temperature\":21.5}")), TS);

      assertThat(harness.extractOutputValues())
          .containsExactly(new Telemetry("dev-1", TS, null, Map.of("temperature", 21.5)));
      assertThat(harness.getSideOutput(TelemetryValidator.REJECTED)).isNull();
    }
  }

  @Test
  void malformedRecordGoesToTheDeadLetterOutputWithReasonAndOrigin() throws Exception {
    try (var harness = harness()) {
      harness.processElement(parse("dev-1", "{not json"), TS);

      assertThat(harness.extractOutputValues()).isEmpty();
      DeadLetter letter = harness.getSideOutput(TelemetryValidator.REJECTED).poll().getValue();
      assertThat(letter.getReason()).isEqualTo("not_json");
      assertThat(new String(letter.getValue(), UTF_8)).isEqualTo("{not json");
      assertThat(letter.getSourceTopic()).isEqualTo("iot.telemetry.raw");
      assertThat(letter.getSourcePartition()).isEqualTo(3);
      assertThat(letter.getSourceOffset()).isEqualTo(42L);
    }
  }

  @Test
  void payloadNamingAnotherDeviceThanItsKeyIsRejected() throws Exception {
    try (var harness = harness()) {
      harness.processElement(parse("dev-1", json("dev-2", TS, "{\"t\":1}")), TS);

      assertThat(harness.extractOutputValues()).isEmpty();
      StreamRecord<DeadLetter> rejected = harness.getSideOutput(TelemetryValidator.REJECTED).poll();
      assertThat(rejected.getValue().getReason()).isEqualTo("device_id_mismatch");
    }
  }

  @Test
  void badRecordsDoNotStopTheGoodOnesBehindThem() throws Exception {
    try (var harness = harness()) {
      harness.processElement(parse("dev-1", "[]"), TS);
      harness.processElement(parse("dev-1", json("dev-1", TS, "{}")), TS);
      harness.processElement(parse("dev-1", json("dev-1", TS, "{\"t\":2}")), TS);

      assertThat(harness.extractOutputValues()).hasSize(1);
      assertThat(harness.getSideOutput(TelemetryValidator.REJECTED))
          .extracting(r -> r.getValue().getReason())
          .containsExactly("not_json", "no_metrics");
    }
  }

  private static OneInputStreamOperatorTestHarness<ParsedTelemetry, Telemetry> harness()
      throws Exception {
    var harness =
        new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new TelemetryValidator()));
    harness.setup(ModelTypes.TELEMETRY.createSerializer(new SerializerConfigImpl()));
    harness.open();
    return harness;
  }

  private static String json(String deviceId, long ts, String metrics) {
    return "{\"deviceId\":\"" + deviceId + "\",\"ts\":" + ts + ",\"metrics\":" + metrics + "}";
  }

  /** Runs the source's deserializer on one record, as the Kafka source would. */
  private static ParsedTelemetry parse(String key, String value) {
    var schema = new TelemetryDeserializationSchema(64 * 1024, Long.MAX_VALUE / 4);
    List<ParsedTelemetry> out = new ArrayList<>();
    schema.deserialize(
        new ConsumerRecord<>(
            "iot.telemetry.raw", 3, 42L, key.getBytes(UTF_8), value.getBytes(UTF_8)),
        new Collector<>() {
          @Override
          public void collect(ParsedTelemetry record) {
            out.add(record);
          }

          @Override
          public void close() {}
        });
    return out.get(0);
  }
}
