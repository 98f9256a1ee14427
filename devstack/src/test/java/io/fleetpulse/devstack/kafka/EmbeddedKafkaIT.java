package io.fleetpulse.devstack.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class EmbeddedKafkaIT {

  @Test
  void recordsProducedAreConsumedWithKeysValuesAndHeaders(KafkaTestClient client) {
    client.createTopics(2, "roundtrip");
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>("roundtrip", "dev-1".getBytes(UTF_8), "hello".getBytes(UTF_8));
    record.headers().add("mqtt.topic", "devices/dev-1/telemetry".getBytes(UTF_8));

    client.produce(List.of(record));

    List<ConsumerRecord<byte[], byte[]>> got =
        client.consume("roundtrip", 1, Duration.ofSeconds(30));
    assertThat(got).hasSize(1);
    assertThat(new String(got.get(0).key(), UTF_8)).isEqualTo("dev-1");
    assertThat(new String(got.get(0).value(), UTF_8)).isEqualTo("hello");
    assertThat(new String(got.get(0).headers().lastHeader("mqtt.topic").value(), UTF_8))
        .isEqualTo("devices/dev-1/telemetry");
  }

  @Test
  void aRestartedBrokerKeepsItsPortAndData(EmbeddedKafka kafka, KafkaTestClient client) {
    client.createTopics(1, "survives-restart");
    client.produce(
        List.of(new ProducerRecord<>("survives-restart", null, "before".getBytes(UTF_8))));
    String servers = kafka.bootstrapServers();

    kafka.stop();
    assertThat(kafka.isRunning()).isFalse();
    kafka.start();

    assertThat(kafka.bootstrapServers()).isEqualTo(servers);
    assertThat(client.consume("survives-restart", 1, Duration.ofSeconds(30)))
        .extracting(r -> new String(r.value(), UTF_8))
        .containsExactly("before");
  }
}
