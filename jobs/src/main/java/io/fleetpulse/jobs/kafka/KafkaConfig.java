package io.fleetpulse.jobs.kafka;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.KafkaOptions;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
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

  /**
   * Brokers cap transactions at {@code transaction.max.timeout.ms} (15 min by default); the sink's
   * own default of 1 h would make every transactional start fail.
   */
  public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

  public static final ConfigOption<DeliveryGuarantee> DELIVERY_GUARANTEE =
      ConfigOption.key("kafka.delivery.guarantee")
          .enumType(DeliveryGuarantee.class)
          .defaultValue(DeliveryGuarantee.AT_LEAST_ONCE)
          .description(
              "Kafka sinks: `AT_LEAST_ONCE` (sub-second latency; consumers deduplicate),"
                  + " `EXACTLY_ONCE` (transactions committed on each checkpoint; read with"
                  + " `isolation.level=read_committed`), `NONE`");

  public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
      ConfigOption.key("kafka.transactional-id-prefix")
          .stringType()
          .nonBlank()
          .defaultDescribedAs("(the group id)")
          .description(
              "for `EXACTLY_ONCE`; each sink appends its name; unique per job on a cluster");

  /** The Kafka options of one job; only the consumer group's default differs between jobs. */
  public static final class Options {
    public final ConfigOption<String> groupId;
    public final OptionSet set;

    public Options(String defaultGroupId) {
      groupId =
          ConfigOption.key("kafka.group.id")
              .stringType()
              .nonBlank()
              .defaultValue(defaultGroupId)
              .description("consumer group of the job's sources");
      set =
          OptionSet.builder()
              .add(KafkaOptions.BOOTSTRAP_SERVERS, groupId, DELIVERY_GUARANTEE)
              .add(TRANSACTIONAL_ID_PREFIX)
              .prefix(KafkaOptions.PROPERTIES_PREFIX, KafkaOptions.PROPERTIES_DESCRIPTION)
              .build();
    }
  }

  /** Reads the Kafka settings; the transactional-id prefix defaults to the resolved group id. */
  public static KafkaConfig from(Settings s, Options options) {
    String groupId = s.get(options.groupId);
    return new KafkaConfig(
        s.get(KafkaOptions.BOOTSTRAP_SERVERS),
        groupId,
        s.get(DELIVERY_GUARANTEE),
        s.getOrElse(TRANSACTIONAL_ID_PREFIX, groupId),
        Map.copyOf(s.withPrefix(KafkaOptions.PROPERTIES_PREFIX)));
  }

  /** A config for tests and the demo: the given servers, defaults for the rest. */
  public static KafkaConfig of(String bootstrapServers, String groupId) {
    return new KafkaConfig(
        bootstrapServers, groupId, DeliveryGuarantee.AT_LEAST_ONCE, groupId, Map.of());
  }

  /** The producers' transaction timeout: {@code kafka.properties.transaction.timeout.ms}. */
  public Duration transactionTimeout() {
    String ms = clientProperties.get("transaction.timeout.ms");
    if (ms == null) {
      return DEFAULT_TRANSACTION_TIMEOUT;
    }
    try {
      return Duration.ofMillis(Long.parseLong(ms.strip()));
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "setting 'kafka.properties.transaction.timeout.ms' has invalid value '"
              + ms
              + "': expected milliseconds");
    }
  }

  /** The pass-through client properties as {@link Properties}. */
  public Properties properties() {
    Properties p = new Properties();
    p.putAll(clientProperties);
    return p;
  }
}
