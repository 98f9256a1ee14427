package io.fleetpulse.connectors.mqtt;

import io.fleetpulse.devstack.mqtt.PublishedMessage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a Kafka topic from the start until every published payload has arrived. */
final class Arrivals {

  private final String bootstrapServers;
  private final String topic;

  Arrivals(String bootstrapServers, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
  }

  List<ConsumerRecord<byte[], byte[]>> readUntilAll(
      List<PublishedMessage> published, Duration timeout) {
    Set<ByteBuffer> missing = new HashSet<>();
    published.forEach(m -> missing.add(ByteBuffer.wrap(m.payload())));
    List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG,
                "arrivals-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                "5000"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      Set<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .collect(Collectors.toSet());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (!missing.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          read.add(record);
          missing.remove(ByteBuffer.wrap(record.value()));
        }
      }
      // Anything the bridge wrote twice right at the end shows up within a short grace period.
      long graceEnd = System.nanoTime() + Duration.ofMillis(500).toNanos();
      while (System.nanoTime() < graceEnd) {
        consumer.poll(Duration.ofMillis(100)).forEach(read::add);
      }
    }
    System.out.printf(
        "read %d records of %s in %d ms%n",
        read.size(), topic, (System.nanoTime() - deadline + timeout.toNanos()) / 1_000_000);
    return read;
  }
}
