package io.fleetpulse.api.live;

import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.KafkaOptions;
import io.fleetpulse.config.Settings;
import io.fleetpulse.model.FleetTopics;
import java.time.Duration;
import java.util.List;

/** The options of the push streams (SSE, WebSocket, GraphQL subscriptions). */
public final class LiveOptions {

  public static final ConfigOption<String> AGG_TOPIC =
      KafkaOptions.topic(
          "topic.telemetry.agg",
          FleetTopics.TELEMETRY_AGG.name(),
          "window aggregates: last seen and battery, and `/stream/devices/{id}` (read)");
  public static final ConfigOption<Integer> BUFFER =
      ConfigOption.key("stream.buffer-size")
          .intType()
          .between(100, 10_000_000)
          .defaultValue(50_000)
          .description(
              "newest records kept for streams; a client resuming with `Last-Event-ID` gets"
                  + " everything still in it");
  public static final ConfigOption<Integer> MAX_QUEUED =
      ConfigOption.key("stream.max-queued")
          .intType()
          .positive()
          .defaultValue(10_000)
          .description("events waiting for one slow client before it is disconnected");
  public static final ConfigOption<Duration> HEARTBEAT =
      ConfigOption.key("stream.heartbeat")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(15))
          .description("how often a `position` event tells idle clients where they are");

  /** Every stream option. */
  // AGG_TOPIC is registered by the service: the connectivity view reads it too.
  public static final List<ConfigOption<?>> ALL = List.of(BUFFER, MAX_QUEUED, HEARTBEAT);

  final String aggTopic;
  final int buffer;
  final int maxQueued;
  final Duration heartbeat;

  private LiveOptions(Settings s) {
    aggTopic = s.get(AGG_TOPIC);
    buffer = s.get(BUFFER);
    maxQueued = s.get(MAX_QUEUED);
    heartbeat = s.get(HEARTBEAT);
  }

  public static LiveOptions from(Settings settings) {
    return new LiveOptions(settings);
  }
}
