package io.fleetpulse.jobs.shadow;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.testing.TestEnvironments;
import io.fleetpulse.model.DeadLetterHeaders;
import io.fleetpulse.model.shadow.ShadowEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ShadowJob as {@code main} wires it, on Kafka and RocksDB: 1,000 devices send random updates
 * (with version conflicts, malformed requests, gets and deletes; a tenth also use a named shadow on
 * the other input topic), and every output topic is compared with a sequential model of each
 * shadow.
 */
@ExtendWith(KafkaExtension.class)
class ShadowJobKafkaIT {

  private static final int DEVICES = 1_000;
  private static final int REQUESTS_PER_SHADOW = 12;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  /** What the sequential model expects on the output topics. */
  private static final class Expected {
    final Map<String, ObjectNode> stored = new HashMap<>();
    final Map<String, List<JsonNode>> deltas = new HashMap<>();
    final Set<String> rejections = new HashSet<>();
    int documents;
    int responses;
    int deltaCount;
  }

  @Test
  void randomRequestsOfAThousandDevicesEndInTheSequentialModelsShadows(
      KafkaTestClient kafka, @TempDir Path dir) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    ShadowJobConfig config =
        ShadowJobConfig.load(
            new String[] {
              "--kafka.bootstrap.servers", kafka.bootstrapServers(),
              "--kafka.group.id", "shadow-it-" + run,
              "--topic.shadow.reported", "reported-" + run,
              "--topic.shadow.desired", "desired-" + run,
              "--topic.shadows", "shadows-" + run,
              "--topic.shadow.delta", "delta-" + run,
              "--topic.shadow.responses", "responses-" + run,
              "--topic.shadow.dlq", "shadow-dlq-" + run,
              "--state.backend", "ROCKSDB",
              "--checkpoint.interval", "1s",
              "--checkpoint.dir", dir.toUri().toString()
            },
            Map.of());
    kafka.createTopics(
        4,
        config.reportedTopic(),
        config.desiredTopic(),
        config.deltaTopic(),
        config.responsesTopic(),
        config.deadLetterTopic());
    kafka.createTopics(4, Map.of("cleanup.policy", "compact"), config.shadowsTopic());

    Expected expected = new Expected();
    List<ProducerRecord<byte[], byte[]>> records = generate(config, expected, new Random(42));
    ProducerRecord<byte[], byte[]> badOp =
        new ProducerRecord<>(config.reportedTopic(), bytes("d-1"), bytes("{}"));
    badOp.headers().add(ShadowRequests.OP_HEADER, bytes("replace"));
    records.add(badOp);
    kafka.produce(records);

    StreamExecutionEnvironment env = TestEnvironments.of(ShadowJob.flinkConfiguration(config), 2);
    ShadowJob.kafkaJob(config).build(env);
    JobClient job = env.executeAsync("shadow-kafka-it");
    try {
      Duration wait = Duration.ofSeconds(60);
      var responses = kafka.consume(config.responsesTopic(), expected.responses, wait);
      assertThat(responses).hasSize(expected.responses);
      Set<String> rejections = new HashSet<>();
      for (var r : responses) {
        String kind = header(r, ShadowMessageSerializationSchema.RESPONSE_HEADER);
        if (kind.endsWith("/rejected")) {
          JsonNode body = MAPPER.readTree(r.value());
          rejections.add(
              shadowKey(r)
                  + " "
                  + kind
                  + " "
                  + body.get("code").asInt()
                  + " "
                  + body.path("clientToken").asText());
        }
      }
      assertThat(minus(rejections, expected.rejections)).as("unexpected rejections").isEmpty();
      assertThat(minus(expected.rejections, rejections)).as("missing rejections").isEmpty();
      // Every rejection of a request the job could read carries its clientToken.
      assertThat(rejections).filteredOn(r -> !r.contains(" 400 ")).allMatch(r -> r.contains(" t"));

      var documents = kafka.consume(config.shadowsTopic(), expected.documents, wait);
      assertThat(documents).hasSize(expected.documents);
      Map<String, JsonNode> last = new HashMap<>();
      for (var r : documents) {
        last.put(new String(r.key(), UTF_8), r.value() == null ? null : MAPPER.readTree(r.value()));
      }
      last.values().removeIf(v -> v == null);
      Map<String, JsonNode> model = new HashMap<>();
      expected.stored.forEach(
          (key, stored) -> {
            if (ShadowEngine.exists(stored)) {
              // Through text, as the job's documents come: numbers compare by their parsed type.
              model.put(key, withoutTimes((ObjectNode) read(ShadowEngine.document(stored))));
            }
          });
      last.replaceAll((k, v) -> withoutTimes((ObjectNode) v));
      assertThat(last.keySet()).isEqualTo(model.keySet());
      List<String> differing = new ArrayList<>();
      model.forEach(
          (key, doc) -> {
            if (!doc.equals(last.get(key))) {
              differing.add(key + "\n model: " + doc + "\n   job: " + last.get(key));
            }
          });
      assertThat(differing).as("shadows unlike the model").isEmpty();

      var deltas = kafka.consume(config.deltaTopic(), expected.deltaCount, wait);
      assertThat(deltas).hasSize(expected.deltaCount);
      Map<String, List<JsonNode>> deltaStates = new HashMap<>();
      for (var r : deltas) {
        deltaStates
            .computeIfAbsent(shadowKey(r), k -> new ArrayList<>())
            .add(MAPPER.readTree(r.value()).get("state"));
      }
      assertThat(deltaStates).isEqualTo(expected.deltas);

      var dlq = kafka.consume(config.deadLetterTopic(), 1, wait);
      assertThat(dlq).hasSize(1);
      assertThat(header(dlq.get(0), DeadLetterHeaders.REASON)).isEqualTo("invalid_shadow_op");
      assertThat(header(dlq.get(0), DeadLetterHeaders.STAGE)).isEqualTo(ShadowJob.STAGE);
    } finally {
      job.cancel().get();
    }
  }

  /**
   * The requests: each shadow's on one topic (in order on one partition, as a device's are), the
   * classic shadows of even devices on the reported topic, of odd ones on the desired topic, the
   * named shadows on the other one; the model applies each as the job must.
   */
  private static List<ProducerRecord<byte[], byte[]>> generate(
      ShadowJobConfig config, Expected expected, Random random) {
    ShadowEngine engine = new ShadowEngine(ShadowEngine.DEFAULT_MAX_DOCUMENT_BYTES);
    List<List<ProducerRecord<byte[], byte[]>>> perShadow = new ArrayList<>();
    int token = 0;
    for (int d = 0; d < DEVICES; d++) {
      String device = "dev-" + d;
      for (String name : d % 10 == 0 ? new String[] {null, "cfg"} : new String[] {null}) {
        boolean onReported = (d % 2 == 0) == (name == null);
        String topic = onReported ? config.reportedTopic() : config.desiredTopic();
        String key = name == null ? device : device + "/name/" + name;
        List<ProducerRecord<byte[], byte[]>> requests = new ArrayList<>();
        for (int i = 0; i < REQUESTS_PER_SHADOW; i++) {
          String clientToken = "t" + token++;
          ObjectNode stored = expected.stored.get(key);
          int dice = random.nextInt(100);
          String op = dice < 6 ? ShadowRequests.DELETE : dice < 12 ? ShadowRequests.GET : null;
          byte[] body;
          if (op != null) {
            body = bytes("{\"clientToken\":\"" + clientToken + "\"}");
          } else if (dice < 15) {
            body = bytes("{\"state\":{\"reported\":{\"a\":1}},\"clientToken\":\"" + clientToken);
          } else {
            ObjectNode request = MAPPER.createObjectNode();
            ObjectNode state = request.putObject("state");
            if (random.nextBoolean()) {
              randomSection(state.putObject("desired"), random);
            }
            if (random.nextInt(3) > 0) {
              randomSection(state.putObject("reported"), random);
            }
            request.put("clientToken", clientToken);
            long current = stored == null ? 0 : stored.path("version").asLong();
            if (dice < 30) {
              request.put("version", current); // right unless the shadow was deleted
            } else if (dice < 40) {
              request.put("version", current + 1 + random.nextInt(3)); // a conflict
            }
            body = bytes(request.toString());
          }
          ShadowEngine.Outcome outcome =
              switch (op == null ? ShadowRequests.UPDATE : op) {
                case ShadowRequests.GET ->
                    engine.get(stored, body, name == null ? device : name, 0);
                case ShadowRequests.DELETE ->
                    engine.delete(stored, body, name == null ? device : name, 0);
                default -> engine.update(stored, body, 0);
              };
          record(expected, key, clientToken, outcome);
          ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, bytes(device), body);
          if (op != null) {
            record.headers().add(ShadowRequests.OP_HEADER, bytes(op));
          }
          if (name != null) {
            record.headers().add(ShadowRequests.NAME_HEADER, bytes(name));
          }
          requests.add(record);
        }
        perShadow.add(requests);
      }
    }
    // Interleave the shadows as a fleet would, each shadow's own requests staying in order.
    List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>();
    List<Iterator<ProducerRecord<byte[], byte[]>>> open = new ArrayList<>();
    perShadow.forEach(l -> open.add(l.iterator()));
    while (!open.isEmpty()) {
      int i = random.nextInt(open.size());
      all.add(open.get(i).next());
      if (!open.get(i).hasNext()) {
        open.remove(i);
      }
    }
    return all;
  }

  private static void record(
      Expected expected, String key, String clientToken, ShadowEngine.Outcome outcome) {
    expected.responses += outcome.responses().size();
    ShadowEngine.Response first = outcome.response();
    if (first.kind().endsWith("/rejected")) {
      expected.rejections.add(
          key
              + " "
              + first.kind()
              + " "
              + first.body().get("code").asInt()
              + " "
              + first.body().path("clientToken").asText());
    }
    if (!outcome.changed()) {
      return;
    }
    expected.stored.put(key, outcome.stored());
    expected.documents++;
    if (outcome.delta() != null) {
      expected.deltaCount++;
      expected
          .deltas
          .computeIfAbsent(key, k -> new ArrayList<>())
          .add(read(outcome.delta().get("state")));
    }
  }

  private static void randomSection(ObjectNode section, Random random) {
    String[] keys = {"a", "b", "c", "mode"};
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      String k = keys[random.nextInt(keys.length)];
      switch (random.nextInt(6)) {
        case 0 -> section.putNull(k);
        case 1 ->
            section.putObject(k).put("x", random.nextInt(3)).put("y", "v" + random.nextInt(2));
        case 2 -> section.putArray(k).add(random.nextInt(3)).add(random.nextInt(3));
        default -> section.put(k, random.nextInt(4));
      }
    }
  }

  /** The document with every timestamp (the job's clock, not the model's) set to 0. */
  private static JsonNode withoutTimes(ObjectNode doc) {
    ObjectNode copy = doc.deepCopy();
    copy.put("timestamp", 0);
    zeroTimestamps(copy.get("metadata"));
    return copy;
  }

  private static void zeroTimestamps(JsonNode node) {
    if (node instanceof ObjectNode object) {
      if (object.has("timestamp")) {
        object.put("timestamp", 0);
      }
      object.elements().forEachRemaining(ShadowJobKafkaIT::zeroTimestamps);
    } else if (node != null && node.isArray()) {
      node.elements().forEachRemaining(ShadowJobKafkaIT::zeroTimestamps);
    }
  }

  private static JsonNode read(JsonNode node) {
    try {
      return MAPPER.readTree(node.toString());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> d = new HashSet<>(a);
    d.removeAll(b);
    return d;
  }

  private static String shadowKey(ConsumerRecord<byte[], byte[]> r) {
    String device = new String(r.key(), UTF_8);
    String name = header(r, ShadowRequests.NAME_HEADER);
    return name == null ? device : device + "/name/" + name;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
