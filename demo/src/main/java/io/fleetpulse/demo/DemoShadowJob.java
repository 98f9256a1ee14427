package io.fleetpulse.demo;

import io.fleetpulse.jobs.dlq.DeadLetterSerializationSchema;
import io.fleetpulse.jobs.kafka.KafkaConfig;
import io.fleetpulse.jobs.kafka.KafkaConnectors;
import io.fleetpulse.jobs.shadow.ShadowFunction;
import io.fleetpulse.jobs.shadow.ShadowJob;
import io.fleetpulse.jobs.shadow.ShadowMessage;
import io.fleetpulse.jobs.shadow.ShadowRequests;
import io.fleetpulse.jobs.sink.NamedSink;
import io.fleetpulse.model.FleetTopics;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The ShadowJob wired to the demo's Kafka topics, until the job has a Kafka {@code main} of its own
 * (then the demo uses that): requests from {@code iot.shadow.reported} and {@code
 * iot.shadow.desired}, documents, deltas and responses to their topics with the shared headers.
 */
final class DemoShadowJob {

  private DemoShadowJob() {}

  static ShadowJob kafkaJob(String bootstrapServers) {
    KafkaConfig kafka = KafkaConfig.of(bootstrapServers, "fleetpulse-shadow");
    return new ShadowJob(
        64 * 1024,
        KafkaConnectors.source(kafka, FleetTopics.SHADOW_REPORTED.name(), new ShadowRequests()),
        KafkaConnectors.source(kafka, FleetTopics.SHADOW_DESIRED.name(), new ShadowRequests()),
        sink(kafka, "shadow-document-sink", FleetTopics.SHADOWS.name(), false),
        sink(kafka, "shadow-delta-sink", FleetTopics.SHADOW_DELTA.name(), false),
        sink(kafka, "shadow-response-sink", "iot.shadow.responses", true),
        new NamedSink<>(
            "shadow-dlq-sink",
            KafkaConnectors.sink(
                kafka,
                "shadow-dlq-sink",
                new DeadLetterSerializationSchema("iot.shadow.dlq", ShadowJob.STAGE))));
  }

  private static NamedSink<ShadowMessage> sink(
      KafkaConfig kafka, String name, String topic, boolean responses) {
    return new NamedSink<>(
        name, KafkaConnectors.sink(kafka, name, new ShadowRecords(topic, responses)));
  }

  /** Key = device id (plus the shadow name), value = the document, headers as agreed. */
  static final class ShadowRecords implements KafkaRecordSerializationSchema<ShadowMessage> {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final boolean responses;

    ShadowRecords(String topic, boolean responses) {
      this.topic = topic;
      this.responses = responses;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        ShadowMessage m, KafkaSinkContext context, Long timestamp) {
      ProducerRecord<byte[], byte[]> r =
          new ProducerRecord<>(
              topic, m.getDeviceId().getBytes(StandardCharsets.UTF_8), m.getPayload());
      if (m.getShadowName() != null) {
        r.headers().add("shadow.name", m.getShadowName().getBytes(StandardCharsets.UTF_8));
      }
      if (responses && !ShadowFunction.DELTA.equals(m.getKind())) {
        r.headers().add("shadow.response", m.getKind().getBytes(StandardCharsets.UTF_8));
      }
      return r;
    }
  }
}
