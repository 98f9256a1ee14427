package io.fleetpulse.config;

/** The Kafka options every component spells the same way. */
public final class KafkaOptions {

  /** Client properties under this prefix go to every Kafka client of the component as they are. */
  public static final String PROPERTIES_PREFIX = "kafka.properties.";

  /** What the README says about {@link #PROPERTIES_PREFIX}. */
  public static final String PROPERTIES_DESCRIPTION =
      "passed to every Kafka client as is (e.g. `kafka.properties.security.protocol=SASL_SSL`;"
          + " secrets from the environment: `FLEETPULSE_KAFKA_PROPERTIES_SASL_JAAS_CONFIG`)";

  public static final ConfigOption<String> BOOTSTRAP_SERVERS =
      ConfigOption.key("kafka.bootstrap.servers")
          .stringType()
          .required()
          .description("Kafka servers, `host:port[,host:port]`");

  /** A topic-name option ({@code topic.*}): not blank, defaulting to FleetPulse's topic. */
  public static ConfigOption<String> topic(String key, String defaultTopic, String description) {
    return ConfigOption.key(key)
        .stringType()
        .nonBlank()
        .defaultValue(defaultTopic)
        .description(description);
  }

  private KafkaOptions() {}
}
