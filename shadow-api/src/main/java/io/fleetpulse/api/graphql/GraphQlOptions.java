package io.fleetpulse.api.graphql;

import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.KafkaOptions;
import io.fleetpulse.config.Settings;
import io.fleetpulse.model.FleetTopics;
import java.util.List;

/** The options of the GraphQL endpoint. */
public final class GraphQlOptions {

  public static final ConfigOption<String> ACTIONS_TOPIC =
      KafkaOptions.topic(
          "topic.alert.actions",
          FleetTopics.ALERT_ACTIONS.name(),
          "ack / snooze / resolve of alerts (written)");
  public static final ConfigOption<Integer> MAX_DEPTH =
      ConfigOption.key("graphql.max-depth")
          .intType()
          .between(2, 50)
          .defaultValue(8)
          .description("deeper GraphQL queries are refused");
  public static final ConfigOption<Integer> MAX_COMPLEXITY =
      ConfigOption.key("graphql.max-complexity")
          .intType()
          .between(10, 1_000_000)
          .defaultValue(500)
          .description("GraphQL queries selecting more fields than this are refused");

  /** The GraphQL options; {@link #ACTIONS_TOPIC} is registered by the service, shared with REST. */
  public static final List<ConfigOption<?>> ALL = List.of(MAX_DEPTH, MAX_COMPLEXITY);

  final String actionsTopic;
  final int maxDepth;
  final int maxComplexity;

  private GraphQlOptions(Settings s) {
    actionsTopic = s.get(ACTIONS_TOPIC);
    maxDepth = s.get(MAX_DEPTH);
    maxComplexity = s.get(MAX_COMPLEXITY);
  }

  public static GraphQlOptions from(Settings settings) {
    return new GraphQlOptions(settings);
  }

  /** The topics GraphQL writes. */
  public List<String> topics() {
    return List.of(actionsTopic);
  }
}
