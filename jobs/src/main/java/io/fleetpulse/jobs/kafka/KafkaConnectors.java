package io.fleetpulse.jobs.kafka;

import java.util.Properties;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Builds the Kafka sources and sinks of the jobs from a {@link KafkaConfig}. */
public final class KafkaConnectors {

  private KafkaConnectors() {}

  /**
   * An unbounded source on {@code topic} that resumes from the group's committed offsets, or from
   * the earliest when the group has none.
   */
  public static <T> KafkaSource<T> source(
      KafkaConfig kafka, String topic, KafkaRecordDeserializationSchema<T> schema) {
    return sourceBuilder(kafka, topic, schema).build();
  }

  /** A source that reads {@code topic} up to the offsets it finds at start, then finishes. */
  public static <T> KafkaSource<T> boundedSource(
      KafkaConfig kafka, String topic, KafkaRecordDeserializationSchema<T> schema) {
    return sourceBuilder(kafka, topic, schema).setBounded(OffsetsInitializer.latest()).build();
  }

  /**
   * A source that reads all of {@code topic} from the beginning on a fresh start (a compacted topic
   * holding current state, such as the device registry); after a restore it resumes from the
   * checkpoint.
   */
  public static <T> KafkaSource<T> broadcastSource(
      KafkaConfig kafka, String topic, KafkaRecordDeserializationSchema<T> schema) {
    return sourceBuilder(kafka, topic, schema)
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setProperty("commit.offsets.on.checkpoint", "false")
        .build();
  }

  /** {@link #broadcastSource} that stops at the offsets it finds at start. */
  public static <T> KafkaSource<T> boundedBroadcastSource(
      KafkaConfig kafka, String topic, KafkaRecordDeserializationSchema<T> schema) {
    return sourceBuilder(kafka, topic, schema)
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setProperty("commit.offsets.on.checkpoint", "false")
        .setBounded(OffsetsInitializer.latest())
        .build();
  }

  private static <T> org.apache.flink.connector.kafka.source.KafkaSourceBuilder<T> sourceBuilder(
      KafkaConfig kafka, String topic, KafkaRecordDeserializationSchema<T> schema) {
    return KafkaSource.<T>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setGroupId(kafka.groupId())
        .setTopics(topic)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
        .setDeserializer(schema)
        .setProperties(kafka.properties())
        .setProperty("isolation.level", "read_committed")
        .setProperty("partition.discovery.interval.ms", "60000");
  }

  /**
   * A sink of records keyed by {@code key} (UTF-8) and valued by {@code value}; {@code name} is
   * unique among the job's sinks.
   */
  public static <T> KafkaSink<T> sink(
      KafkaConfig kafka,
      String name,
      String topic,
      SerializationSchema<T> key,
      SerializationSchema<T> value) {
    return sink(
        kafka,
        name,
        KafkaRecordSerializationSchema.<T>builder()
            .setTopic(topic)
            .setKeySerializationSchema(key)
            .setValueSerializationSchema(value)
            .build());
  }

  /**
   * A sink with its own record serialization, under the configured delivery guarantee; {@code name}
   * is unique among the job's sinks.
   */
  public static <T> KafkaSink<T> sink(
      KafkaConfig kafka, String name, KafkaRecordSerializationSchema<T> serialization) {
    Properties producer = kafka.properties();
    producer.putIfAbsent(
        "transaction.timeout.ms", String.valueOf(kafka.transactionTimeout().toMillis()));
    producer.putIfAbsent("linger.ms", "20");
    producer.putIfAbsent("compression.type", "lz4");
    var builder =
        KafkaSink.<T>builder()
            .setBootstrapServers(kafka.bootstrapServers())
            .setKafkaProducerConfig(producer)
            .setRecordSerializer(serialization)
            .setDeliveryGuarantee(kafka.deliveryGuarantee());
    if (kafka.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
      // Transactional ids must be unique per sink, or the sinks' producers fence each other.
      builder.setTransactionalIdPrefix(kafka.transactionalIdPrefix() + "-" + name);
    }
    return builder.build();
  }
}
