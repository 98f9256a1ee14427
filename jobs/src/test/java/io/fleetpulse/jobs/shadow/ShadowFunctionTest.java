package io.fleetpulse.jobs.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.model.shadow.ShadowEngine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class ShadowFunctionTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long NOW_MS = 1_764_331_200_000L;

  private static ShadowRequest update(String device, String json) {
    return ShadowRequest.of(device, null, ShadowRequests.UPDATE, bytes(json));
  }

  private static byte[] bytes(String json) {
    return json.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode tree(String json) throws Exception {
    return MAPPER.readTree(bytes(json));
  }

  private static JsonNode body(ShadowMessage m) throws Exception {
    return MAPPER.readTree(m.getPayload());
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, ShadowRequest, ShadowMessage>
      harness() throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new ShadowFunction(ShadowEngine.DEFAULT_MAX_DOCUMENT_BYTES)),
            ShadowRequest::shadowKey,
            Types.STRING);
    harness.setProcessingTime(NOW_MS);
    harness.open();
    return harness;
  }

  private static List<ShadowMessage> side(
      KeyedOneInputStreamOperatorTestHarness<String, ShadowRequest, ShadowMessage> h,
      org.apache.flink.util.OutputTag<ShadowMessage> tag) {
    var queue = h.getSideOutput(tag);
    return queue == null ? List.of() : queue.stream().map(StreamRecord::getValue).toList();
  }

  @Test
  void interleavedReportedAndDesiredUpdatesGiveDocumentsDeltasAndResponses() throws Exception {
    try (var h = harness()) {
      h.processElement(update("d1", "{'state':{'reported':{'temp':20,'mode':'eco'}}}"), 0);
      h.processElement(update("d1", "{'state':{'desired':{'temp':22}},'clientToken':'app'}"), 0);
      h.processElement(update("d1", "{'state':{'reported':{'temp':22}}}"), 0);

      List<ShadowMessage> docs = h.extractOutputValues();
      assertThat(docs).extracting(ShadowMessage::getKind).containsOnly(ShadowFunction.DOCUMENT);
      assertThat(docs).extracting(m -> m.key()).containsOnly("d1");
      assertThat(body(docs.get(1)).at("/state/delta")).isEqualTo(tree("{'temp':22}"));
      assertThat(body(docs.get(2)).at("/state").has("delta")).isFalse();
      assertThat(body(docs.get(2)).get("version").asLong()).isEqualTo(3);

      List<ShadowMessage> deltas = side(h, ShadowFunction.DELTAS);
      assertThat(deltas).hasSize(1);
      assertThat(deltas.get(0).mqttTopic()).isEqualTo("devices/d1/shadow/delta");
      assertThat(body(deltas.get(0)).get("state")).isEqualTo(tree("{'temp':22}"));

      List<ShadowMessage> responses = side(h, ShadowFunction.RESPONSES);
      assertThat(responses)
          .extracting(ShadowMessage::getKind)
          .containsExactly(
              "update/accepted", "update/documents",
              "update/accepted", "update/documents",
              "update/accepted", "update/documents");
      assertThat(body(responses.get(2)).get("clientToken").asText()).isEqualTo("app");
      assertThat(responses.get(2).mqttTopic()).isEqualTo("devices/d1/shadow/update/accepted");
    }
  }

  @Test
  void aRejectedRequestUsesNoVersionAndCreatesNoShadow() throws Exception {
    try (var h = harness()) {
      h.processElement(
          update("d1", "{'state':{'reported':{'a':1}},'version':3,'clientToken':'x'}"), 0);
      h.processElement(ShadowRequest.of("d1", null, ShadowRequests.GET, new byte[0]), 0);

      assertThat(h.extractOutputValues()).isEmpty();
      List<ShadowMessage> responses = side(h, ShadowFunction.RESPONSES);
      assertThat(responses)
          .extracting(ShadowMessage::getKind)
          .containsExactly("update/rejected", "get/rejected");
      assertThat(body(responses.get(0)).get("code").asInt()).isEqualTo(409);
      assertThat(body(responses.get(0)).get("clientToken").asText()).isEqualTo("x");
      assertThat(body(responses.get(1)).get("code").asInt()).isEqualTo(404);

      h.processElement(update("d1", "{'state':{'reported':{'a':1}},'version':0}"), 0);
      assertThat(body(h.extractOutputValues().get(0)).get("version").asLong()).isEqualTo(1);
    }
  }

  @Test
  void invalidJsonIsAnsweredWith400AndTheJobGoesOn() throws Exception {
    try (var h = harness()) {
      h.processElement(update("d1", "{not json"), 0);
      h.processElement(update("d1", "{'state':{'reported':{'a':1}}}"), 0);

      List<ShadowMessage> responses = side(h, ShadowFunction.RESPONSES);
      assertThat(body(responses.get(0)).get("message").asText()).isEqualTo("Invalid JSON");
      assertThat(h.extractOutputValues()).hasSize(1);
    }
  }

  @Test
  void aRecordThatNamesNoShadowGoesToTheDeadLetters() throws Exception {
    try (var h = harness()) {
      ConsumerRecord<byte[], byte[]> noKey =
          new ConsumerRecord<>("iot.shadow.reported", 2, 41L, null, bytes("{}"));
      ConsumerRecord<byte[], byte[]> badOp =
          new ConsumerRecord<>("iot.shadow.reported", 2, 42L, bytes("d1"), bytes("{}"));
      badOp.headers().add(ShadowRequests.OP_HEADER, bytes("replace"));
      h.processElement(ShadowRequests.parse(noKey), 0);
      h.processElement(ShadowRequests.parse(badOp), 0);

      var letters =
          h.getSideOutput(ShadowFunction.DEAD_LETTERS).stream().map(r -> r.getValue()).toList();
      assertThat(letters)
          .extracting(DeadLetter::getReason)
          .containsExactly("missing_device_id", "invalid_shadow_op");
      assertThat(letters).extracting(DeadLetter::getSourceOffset).containsExactly(41L, 42L);
      assertThat(h.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void theDeltaIsEmittedOnlyWhenItChanges() throws Exception {
    try (var h = harness()) {
      h.processElement(update("d1", "{'state':{'desired':{'a':1}}}"), 0);
      h.processElement(update("d1", "{'state':{'reported':{'b':1}}}"), 0);
      h.processElement(update("d1", "{'state':{'desired':{'a':1}}}"), 0);
      h.processElement(update("d1", "{'state':{'desired':{'a':2}}}"), 0);

      assertThat(side(h, ShadowFunction.DELTAS)).hasSize(2);
    }
  }

  @Test
  void deleteWritesATombstoneAndARecreatedShadowContinuesTheVersion() throws Exception {
    try (var h = harness()) {
      h.processElement(update("d1", "{'state':{'reported':{'a':1}}}"), 0);
      h.processElement(ShadowRequest.of("d1", null, ShadowRequests.DELETE, new byte[0]), 0);
      h.processElement(update("d1", "{'state':{'reported':{'a':1}}}"), 0);

      List<ShadowMessage> docs = h.extractOutputValues();
      assertThat(docs.get(1).getPayload()).isNull();
      assertThat(body(docs.get(2)).get("version").asLong()).isEqualTo(2);
      assertThat(side(h, ShadowFunction.RESPONSES))
          .extracting(ShadowMessage::getKind)
          .contains("delete/accepted");
    }
  }

  @Test
  void namedShadowsAreIndependentOfTheClassicOne() throws Exception {
    try (var h = harness()) {
      h.processElement(update("d1", "{'state':{'reported':{'a':1}}}"), 0);
      h.processElement(
          ShadowRequest.of(
              "d1", "config", ShadowRequests.UPDATE, bytes("{'state':{'reported':{'b':1}}}")),
          0);

      List<ShadowMessage> docs = h.extractOutputValues();
      assertThat(docs).extracting(ShadowMessage::key).containsExactly("d1", "d1/name/config");
      assertThat(body(docs.get(1)).get("version").asLong()).isEqualTo(1);
      assertThat(body(docs.get(1)).at("/state/reported")).isEqualTo(tree("{'b':1}"));
      assertThat(side(h, ShadowFunction.RESPONSES).get(2).mqttTopic())
          .isEqualTo("devices/d1/shadow/name/config/update/accepted");
    }
  }

  @Test
  void aSnapshotAndRestoreKeepsVersions() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = harness()) {
      h.processElement(update("d1", "{'state':{'reported':{'a':1}}}"), 0);
      h.processElement(update("d1", "{'state':{'reported':{'a':2}}}"), 0);
      snapshot = h.snapshot(1L, 1L);
    }
    var restored =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new ShadowFunction(ShadowEngine.DEFAULT_MAX_DOCUMENT_BYTES)),
            ShadowRequest::shadowKey,
            Types.STRING);
    try (restored) {
      restored.setProcessingTime(NOW_MS);
      restored.initializeState(snapshot);
      restored.open();
      restored.processElement(update("d1", "{'state':{'reported':{'a':3}},'version':2}"), 0);
      assertThat(body(restored.extractOutputValues().get(0)).get("version").asLong()).isEqualTo(3);
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, ShadowRequest, ShadowMessage>
      unopened(Duration ttl, StateBackend backend) throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new ShadowFunction(ShadowEngine.DEFAULT_MAX_DOCUMENT_BYTES, ttl)),
            ShadowRequest::shadowKey,
            Types.STRING);
    harness.setStateBackend(backend);
    harness.setProcessingTime(NOW_MS);
    harness.setStateTtlProcessingTime(NOW_MS);
    return harness;
  }

  @Test
  void onRocksDbASnapshotAndRestoreKeepsVersionsDeltasAndNamedShadows() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = unopened(null, new EmbeddedRocksDBStateBackend())) {
      h.open();
      h.processElement(update("d1", "{'state':{'reported':{'a':1}}}"), 0);
      h.processElement(update("d1", "{'state':{'desired':{'a':2}}}"), 0);
      h.processElement(
          ShadowRequest.of(
              "d1", "cfg", ShadowRequests.UPDATE, bytes("{'state':{'reported':{'b':1}}}")),
          0);
      h.processElement(ShadowRequest.of("d2", null, ShadowRequests.DELETE, new byte[0]), 0);
      h.processElement(update("d3", "{'state':{'reported':{'c':1}}}"), 0);
      h.processElement(ShadowRequest.of("d3", null, ShadowRequests.DELETE, new byte[0]), 0);
      snapshot = h.snapshot(1L, 1L);
    }
    try (var restored = unopened(null, new EmbeddedRocksDBStateBackend())) {
      restored.initializeState(snapshot);
      restored.open();
      restored.processElement(update("d1", "{'state':{'reported':{'a':2}},'version':2}"), 0);
      restored.processElement(
          ShadowRequest.of("d1", "cfg", ShadowRequests.GET, bytes("{'clientToken':'g'}")), 0);
      restored.processElement(update("d3", "{'state':{'reported':{'c':2}}}"), 0);

      List<ShadowMessage> docs = restored.extractOutputValues();
      assertThat(body(docs.get(0)).get("version").asLong()).isEqualTo(3);
      assertThat(body(docs.get(0)).at("/state").has("delta")).isFalse();
      // The deleted shadow's tombstone survived the restore: version 1 was used, so 2 (not 1).
      assertThat(body(docs.get(1)).get("version").asLong()).isEqualTo(2);
      ShadowMessage got =
          side(restored, ShadowFunction.RESPONSES).stream()
              .filter(m -> m.getKind().equals("get/accepted"))
              .findFirst()
              .orElseThrow();
      assertThat(got.mqttTopic()).isEqualTo("devices/d1/shadow/name/cfg/get/accepted");
      assertThat(body(got).get("version").asLong()).isEqualTo(1);
      assertThat(body(got).at("/state/reported")).isEqualTo(tree("{'b':1}"));
    }
  }

  @Test
  void aShadowUntouchedForTheTtlIsGoneAndOneInUseIsKept() throws Exception {
    Duration ttl = Duration.ofDays(30);
    try (var h = unopened(ttl, new EmbeddedRocksDBStateBackend())) {
      h.open();
      h.processElement(update("idle", "{'state':{'reported':{'a':1}}}"), 0);
      h.processElement(update("busy", "{'state':{'reported':{'a':1}}}"), 0);
      h.setStateTtlProcessingTime(NOW_MS + ttl.toMillis() - 1000);
      h.processElement(
          ShadowRequest.of("busy", null, ShadowRequests.GET, bytes("{'clientToken':'g1'}")), 0);
      h.setStateTtlProcessingTime(NOW_MS + ttl.toMillis() + 1000);
      h.processElement(
          ShadowRequest.of("idle", null, ShadowRequests.GET, bytes("{'clientToken':'g2'}")), 0);
      h.processElement(
          ShadowRequest.of("busy", null, ShadowRequests.GET, bytes("{'clientToken':'g3'}")), 0);

      List<ShadowMessage> responses =
          side(h, ShadowFunction.RESPONSES).stream()
              .filter(m -> !m.getKind().equals("update/documents"))
              .toList();
      assertThat(responses)
          .extracting(ShadowMessage::getDeviceId, ShadowMessage::getKind)
          .containsExactly(
              tuple("idle", "update/accepted"),
              tuple("busy", "update/accepted"),
              tuple("busy", "get/accepted"),
              tuple("idle", "get/rejected"),
              tuple("busy", "get/accepted"));
      assertThat(body(responses.get(3)).get("code").asInt()).isEqualTo(404);
      assertThat(body(responses.get(3)).get("clientToken").asText()).isEqualTo("g2");
    }
  }

  @Test
  void withoutATtlShadowsAreKeptForever() throws Exception {
    try (var h = unopened(null, new HashMapStateBackend())) {
      h.open();
      h.processElement(update("d1", "{'state':{'reported':{'a':1}}}"), 0);
      h.setStateTtlProcessingTime(NOW_MS + Duration.ofDays(3650).toMillis());
      h.processElement(ShadowRequest.of("d1", null, ShadowRequests.GET, new byte[0]), 0);

      assertThat(side(h, ShadowFunction.RESPONSES))
          .extracting(ShadowMessage::getKind)
          .containsExactly("update/accepted", "update/documents", "get/accepted");
    }
  }
}
