package io.fleetpulse.connectors.kafka.topics;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.KafkaOptions;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.model.FleetTopics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * {@code ./fleetpulse topics create --bootstrap HOST:PORT}: creates every FleetPulse topic that
 * does not exist yet, compacted where the design says so; existing topics are left as they are.
 */
public final class TopicsCommand {

  public static final ConfigOption<String> BOOTSTRAP =
      ConfigOption.key("bootstrap").stringType().required().description("Kafka servers");
  public static final ConfigOption<Integer> PARTITIONS =
      ConfigOption.key("partitions")
          .intType()
          .positive()
          .defaultValue(8)
          .description("partitions of each new topic");
  public static final ConfigOption<Integer> REPLICATION =
      ConfigOption.key("replication-factor")
          .intType()
          .between(-1, Short.MAX_VALUE)
          .defaultValue(-1)
          .description("replication factor; -1 takes the broker's default");

  /** The command's options. */
  public static final OptionSet OPTIONS =
      OptionSet.builder()
          .add(BOOTSTRAP, PARTITIONS, REPLICATION)
          .prefix(KafkaOptions.PROPERTIES_PREFIX, KafkaOptions.PROPERTIES_DESCRIPTION)
          .build();

  private TopicsCommand() {}

  public static void main(String[] args) {
    if (args.length == 0 || !args[0].equals("create")) {
      System.err.println(
          "usage: topics create --bootstrap HOST:PORT [--partitions 8] [--replication-factor -1]"
              + " [--kafka.properties.KEY VALUE ...]");
      System.exit(2);
    }
    try {
      String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
      Settings s = Settings.load(rest, System.getenv(), OPTIONS);
      create(
          s.get(BOOTSTRAP),
          s.withPrefix(KafkaOptions.PROPERTIES_PREFIX),
          s.get(PARTITIONS),
          s.get(REPLICATION).shortValue(),
          System.out);
    } catch (ConfigException e) {
      System.err.println("topics: " + e.getMessage());
      System.exit(1);
    }
  }

  /**
   * Creates the FleetPulse topics missing on the cluster; returns the names it created.
   *
   * @param replication {@code -1} for the broker's default
   */
  public static List<String> create(
      String bootstrapServers,
      Map<String, String> clientProperties,
      int partitions,
      short replication,
      PrintStream out) {
    Duration timeout = TopicCheck.DEFAULT_TIMEOUT;
    Set<String> existing = TopicCheck.existingTopics(bootstrapServers, clientProperties, timeout);
    List<NewTopic> wanted = new ArrayList<>();
    for (FleetTopics.Topic topic : FleetTopics.ALL) {
      if (existing.contains(topic.name())) {
        out.println("exists   " + topic.name());
        continue;
      }
      NewTopic t =
          new NewTopic(topic.name(), Optional.of(partitions), Optional.of(replication))
              .configs(
                  Map.of(
                      TopicConfig.CLEANUP_POLICY_CONFIG,
                      topic.compacted()
                          ? TopicConfig.CLEANUP_POLICY_COMPACT
                          : TopicConfig.CLEANUP_POLICY_DELETE));
      wanted.add(t);
    }
    try (Admin admin =
        Admin.create(TopicCheck.adminProperties(bootstrapServers, clientProperties, timeout))) {
      admin.createTopics(wanted).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while creating topics");
    } catch (ExecutionException | TimeoutException e) {
      throw new ConfigException(
          "creating topics at " + bootstrapServers + " failed: " + e.getCause(), e);
    }
    List<String> created = new ArrayList<>();
    for (NewTopic t : wanted) {
      out.println(
          "created  "
              + t.name()
              + " ("
              + partitions
              + " partitions, cleanup.policy="
              + t.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG)
              + ")");
      created.add(t.name());
    }
    return created;
  }
}
