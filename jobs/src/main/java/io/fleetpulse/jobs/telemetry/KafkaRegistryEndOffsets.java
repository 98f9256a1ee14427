package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.enrich.RegistryEndOffsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** The end offsets of the registry topic, asked of Kafka when the operator starts. */
public final class KafkaRegistryEndOffsets implements RegistryEndOffsets {

  private static final long serialVersionUID = 1L;

  private final String bootstrapServers;
  private final HashMap<String, String> clientProperties;
  private final String topic;
  private final Duration timeout;

  public KafkaRegistryEndOffsets(
      String bootstrapServers,
      Map<String, String> clientProperties,
      String topic,
      Duration timeout) {
    this.bootstrapServers = bootstrapServers;
    this.clientProperties = new HashMap<>(clientProperties);
    this.topic = topic;
    this.timeout = timeout;
  }

  @Override
  public Map<Integer, Long> endOffsets() {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // As the registry source reads: transaction markers and aborted records are never delivered.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
      Map<Integer, Long> ends = new HashMap<>();
      List<TopicPartition> tps =
          partitions.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(tps, timeout);
      consumer
          .endOffsets(tps, timeout)
          .forEach(
              (tp, end) -> {
                // A partition whose records were all deleted has nothing to read either.
                if (end > beginnings.getOrDefault(tp, 0L)) {
                  ends.put(tp.partition(), end);
                }
              });
      return ends;
    }
  }
}
