package io.fleetpulse.model;

import java.util.List;

/**
 * Every Kafka topic of FleetPulse with its cleanup policy (the design's topic table), for {@code
 * ./fleetpulse topics create} and the components' start-up checks.
 */
public final class FleetTopics {

  /** One topic: default name, whether it is compacted, and what it carries. */
  public record Topic(String name, boolean compacted, String carries) {}

  public static final Topic TELEMETRY_RAW =
      new Topic("iot.telemetry.raw", false, "telemetry as received (bridge)");
  public static final Topic EVENTS_RAW = new Topic("iot.events.raw", false, "device events");
  public static final Topic SHADOW_REPORTED =
      new Topic("iot.shadow.reported", false, "shadow updates from devices (bridge)");
  public static final Topic SHADOW_DESIRED =
      new Topic("iot.shadow.desired", false, "shadow updates from applications (API)");
  public static final Topic SHADOWS =
      new Topic("iot.shadows", true, "full shadow documents (ShadowJob)");
  public static final Topic SHADOW_DELTA =
      new Topic("iot.shadow.delta", false, "shadow deltas for devices (ShadowJob)");
  public static final Topic SHADOW_RESPONSES =
      new Topic("iot.shadow.responses", false, "accepted / rejected shadow responses (ShadowJob)");
  public static final Topic SHADOW_DLQ =
      new Topic("iot.shadow.dlq", false, "shadow requests that name no shadow (ShadowJob)");
  public static final Topic DEVICES = new Topic("iot.devices", true, "the device registry");
  public static final Topic ALERT_SIGNALS =
      new Topic("iot.alert.signals", false, "detector signals (SQL rules)");
  public static final Topic ALERT_ACTIONS =
      new Topic("iot.alert.actions", false, "ack / snooze / resolve of alerts (API)");
  public static final Topic ALERTS = new Topic("iot.alerts", false, "alert transitions");
  public static final Topic TELEMETRY_ENRICHED =
      new Topic("iot.telemetry.enriched", false, "valid, deduplicated, enriched telemetry");
  public static final Topic TELEMETRY_AGG =
      new Topic("iot.telemetry.agg", false, "window aggregates (TelemetryJob)");
  public static final Topic TELEMETRY_TREND =
      new Topic("iot.telemetry.trend", false, "sliding trend aggregates (TelemetryJob)");
  public static final Topic BRIDGE_REJECTED =
      new Topic("iot.bridge.rejected", false, "what the bridge refused");
  public static final Topic TELEMETRY_DLQ =
      new Topic("iot.telemetry.dlq", false, "telemetry dead letters (TelemetryJob)");
  public static final Topic COMMANDS = new Topic("iot.commands", false, "commands for devices");
  public static final Topic ALERT_DLQ =
      new Topic("iot.alert.dlq", false, "signals and alert actions refused (AnomalyJob)");
  public static final Topic WEBHOOKS = new Topic("iot.webhooks", true, "webhook endpoints (API)");
  public static final Topic WEBHOOKS_DLQ =
      new Topic("iot.webhooks.dlq", false, "webhook deliveries parked after their last try (API)");

  /** All of them, in the design's order. */
  public static final List<Topic> ALL =
      List.of(
          TELEMETRY_RAW,
          EVENTS_RAW,
          SHADOW_REPORTED,
          SHADOW_DESIRED,
          SHADOWS,
          SHADOW_DELTA,
          SHADOW_RESPONSES,
          SHADOW_DLQ,
          DEVICES,
          ALERT_SIGNALS,
          ALERT_ACTIONS,
          ALERTS,
          TELEMETRY_ENRICHED,
          TELEMETRY_AGG,
          TELEMETRY_TREND,
          BRIDGE_REJECTED,
          TELEMETRY_DLQ,
          COMMANDS,
          ALERT_DLQ,
          WEBHOOKS,
          WEBHOOKS_DLQ);

  private FleetTopics() {}
}
