package io.fleetpulse.api.internal;

import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.TelemetryAggregate;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each device's connectivity from what the jobs emit: offline while the AnomalyJob's {@code
 * offline} alert (DEVICE_OFFLINE) is not resolved — the job owns the heartbeat rule, so the API
 * does not judge time-outs itself — and last seen from the TelemetryJob's window aggregates on
 * {@code iot.telemetry.agg} (the latest {@code lastTs}; one record per device, metric and window,
 * far fewer than the enriched stream, at the price of showing a message once its window closed).
 */
public final class Connectivity implements TopicView.Materializer {

  /** Online, offline, or unknown (never seen, never reported offline). */
  public enum State {
    ONLINE,
    OFFLINE,
    UNKNOWN;

    /** The state as the API writes it, e.g. {@code online}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The alert type of the AnomalyJob's DEVICE_OFFLINE incidents. */
  public static final String OFFLINE_TYPE = "offline";

  /** The metric whose last value is the device's battery level. */
  public static final String BATTERY = "battery";

  private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
  private final Map<String, Double> battery = new ConcurrentHashMap<>();
  private final Map<String, Long> offlineSince = new ConcurrentHashMap<>();
  private final Map<String, Boolean> everReported = new ConcurrentHashMap<>();

  /** Applies a window aggregate of {@code iot.telemetry.agg}. */
  @Override
  public void apply(String key, byte[] value) {
    if (value == null || value.length == 0) {
      return;
    }
    TelemetryAggregate agg = ModelJson.fromBytes(value, TelemetryAggregate.class);
    String device = agg.getDeviceId() != null ? agg.getDeviceId() : key;
    if (agg.getLastTs() > 0) {
      lastSeen.merge(device, agg.getLastTs(), Math::max);
    }
    if (BATTERY.equals(agg.getMetric())) {
      battery.put(device, agg.getLast());
    }
  }

  /** Called by the alert view for every transition it reads. */
  void onAlert(Alert alert) {
    if (!OFFLINE_TYPE.equals(alert.getType()) || alert.getDeviceId() == null) {
      return;
    }
    everReported.put(alert.getDeviceId(), Boolean.TRUE);
    if (alert.getState() == AlertState.RESOLVED) {
      offlineSince.remove(alert.getDeviceId());
    } else {
      offlineSince.putIfAbsent(alert.getDeviceId(), alert.getTs());
    }
  }

  /** The device's connectivity state. */
  public State state(String deviceId) {
    if (offlineSince.containsKey(deviceId)) {
      return State.OFFLINE;
    }
    return lastSeen.containsKey(deviceId) || everReported.containsKey(deviceId)
        ? State.ONLINE
        : State.UNKNOWN;
  }

  /** The device's last battery level seen, or null. */
  public Double battery(String deviceId) {
    return battery.get(deviceId);
  }

  /** {@code {state, lastSeen, offlineSince}} for a device response. */
  public Map<String, Object> describe(String deviceId) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("state", state(deviceId).label());
    Long seen = lastSeen.get(deviceId);
    if (seen != null) {
      out.put("lastSeen", seen);
    }
    Long since = offlineSince.get(deviceId);
    if (since != null) {
      out.put("offlineSince", since);
    }
    return out;
  }
}
