package io.fleetpulse.jobs.kafka;

import io.fleetpulse.config.Settings;
import java.io.Serializable;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * How a job reaches Kafka: servers, consumer group, delivery guarantee of its sinks, and any client
 * property passed through as {@code kafka.properties.*} (e.g. SASL settings).
 */
public record KafkaConfig(
    String bootstrapServers,
    String groupId,
    DeliveryGuarantee deliveryGuarantee,
    String transactionalIdPrefix,
    Map<String, String> clientProperties)
    implements Serializable {

  /** Client properties under this prefix go to every Kafka client as they are. */
  public static final String PASS_THROUGH_PREFIX = "kafka.properties.";

  /** The job's own keys plus the Kafka keys every job reads. */
  @SafeVarargs
  public static Set<String> withKafkaKeys(Set<String>... jobKeys) {
    Set<String> keys = new HashSet<>();
    for (Set<String> k : jobKeys) {
      keys.addAll(k);
    }
    keys.add("kafka.bootstrap.servers");
    keys.add("kafka.group.id");
    keys.add("kafka.delivery.guarantee");
    keys.add("kafka.transactional-id-prefix");
    return keys;
  }

  /** Reads the Kafka settings; {@code kafka.bootstrap.servers} is required. */
  public static KafkaConfig from(Settings s, String defaultGroupId) {
    return new KafkaConfig(
        s.requiredString("kafka.bootstrap.servers"),
        s.string("kafka.group.id", defaultGroupId),
        s.enumValue(
            "kafka.delivery.guarantee", DeliveryGuarantee.class, DeliveryGuarantee.AT_LEAST_ONCE),
        s.string("kafka.transactional-id-prefix", defaultGroupId),
        Map.copyOf(s.withPrefix(PASS_THROUGH_PREFIX)));
  }

  /** A config for tests and the demo: the given servers, defaults for the rest. */
  public static KafkaConfig of(String bootstrapServers, String groupId) {
    return new KafkaConfig(
        bootstrapServers, groupId, DeliveryGuarantee.AT_LEAST_ONCE, groupId, Map.of());
  }

  /** The pass-through client properties as {@link Properties}. */
  public Properties properties() {
    Properties p = new Properties();
    p.putAll(clientProperties);
    return p;
  }
}
