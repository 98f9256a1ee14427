package io.fleetpulse.jobs.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.sink.NamedSink;
import io.fleetpulse.jobs.testing.CollectingSink;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.jobs.testing.TestSources;
import io.fleetpulse.model.shadow.ShadowEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ShadowJob through its constructor, on in-memory sources and sinks: no Kafka. */
class ShadowJobInMemoryIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static byte[] bytes(String json) {
    return json.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void reportedAndDesiredUpdatesBecomeDocumentsDeltasAndResponses() throws Exception {
    List<ShadowRequest> reported = new ArrayList<>();
    List<ShadowRequest> desired = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      reported.add(
          ShadowRequest.of("d" + i, null, "update", bytes("{'state':{'reported':{'t':1}}}")));
      desired.add(
          ShadowRequest.of("d" + i, null, "update", bytes("{'state':{'desired':{'t':2}}}")));
    }
    CollectingSink<ShadowMessage> documents = new CollectingSink<>(m -> m);
    CollectingSink<ShadowMessage> deltas = new CollectingSink<>(m -> m);
    CollectingSink<ShadowMessage> responses = new CollectingSink<>(m -> m);
    CollectingSink<DeadLetter> dlq = new CollectingSink<>(d -> d);
    StreamExecutionEnvironment env = TestEnvironments.heap(2);
    new ShadowJob(
            ShadowEngine.DEFAULT_MAX_DOCUMENT_BYTES,
            null,
            TestSources.of(reported, ShadowRequest.TYPE),
            TestSources.of(desired, ShadowRequest.TYPE),
            new NamedSink<>("shadow-documents-sink", documents),
            new NamedSink<>("shadow-delta-sink", deltas),
            new NamedSink<>("shadow-responses-sink", responses),
            new NamedSink<>("shadow-dlq-sink", dlq))
        .build(env);
    env.execute("shadow-in-memory");

    ObjectMapper mapper = new ObjectMapper();
    assertThat(documents.received()).hasSize(40);
    // Whatever the interleaving, every device ends at version 2 with desired t=2, reported t=1.
    for (int i = 0; i < 20; i++) {
      String device = "d" + i;
      var last =
          documents.received().stream()
              .filter(m -> m.getDeviceId().equals(device))
              .map(m -> readTree(mapper, m))
              .filter(n -> n.get("version").asLong() == 2)
              .findFirst()
              .orElseThrow();
      assertThat(last.at("/state/delta/t").asInt()).isEqualTo(2);
    }
    assertThat(deltas.received()).hasSize(20);
    assertThat(responses.received()).hasSize(80);
    assertThat(dlq.received()).isEmpty();
  }

  private static com.fasterxml.jackson.databind.JsonNode readTree(
      ObjectMapper mapper, ShadowMessage m) {
    try {
      return mapper.readTree(m.getPayload());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
