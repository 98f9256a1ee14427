package io.fleetpulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.TelemetryAggregate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Connectivity from the AnomalyJob's offline alerts and the TelemetryJob's aggregates, and the
 * fleet stats over the views; the records are written as those jobs write them. This class owns its
 * device ids and site, so the counts are its own.
 */
class ConnectivityAndFleetIT extends ApiTestBase {

  private static void agg(String device, String metric, double last, long lastTs) {
    TelemetryAggregate a =
        new TelemetryAggregate(
            device, metric, lastTs - 1000, lastTs + 1, 1, last, last, last, last, lastTs);
    produce(FleetTopics.TELEMETRY_AGG.name(), device, ModelJson.toBytes(a), Map.of());
  }

  private static void offline(String id, String device, AlertState state, long ts) {
    Alert a =
        new Alert(
            id,
            device,
            "offline",
            AlertSeverity.WARNING,
            state,
            ts,
            null,
            null,
            "gone",
            "device-offline");
    produce(FleetTopics.ALERTS.name(), device, ModelJson.toBytes(a), Map.of());
  }

  @Test
  void connectivityFollowsOfflineAlertsAndLastSeen() {
    String site = "\"site\":\"conn-site\",\"type\":\"meter\",\"firmware\":\"2.0\"";
    register("cn-on", "{\"deviceId\":\"cn-on\"," + site + "}");
    register("cn-off", "{\"deviceId\":\"cn-off\"," + site + "}");
    register("cn-back", "{\"deviceId\":\"cn-back\"," + site + "}");
    register("cn-new", "{\"deviceId\":\"cn-new\"," + site + "}");
    agg("cn-on", "battery", 80, 5_000);
    agg("cn-on", "temp", 20, 7_000);
    agg("cn-on", "temp", 20, 6_000); // an older window arriving late does not move last seen back
    agg("cn-off", "battery", 10, 4_000);
    offline("off-1", "cn-off", AlertState.OPEN, 9_000);
    offline("off-2", "cn-back", AlertState.OPEN, 3_000);
    offline("off-2", "cn-back", AlertState.RESOLVED, 8_000);
    await(
        () ->
            json(get("/devices/cn-back")).at("/connectivity/state").asText().equals("online")
                && json(get("/devices/cn-on")).at("/connectivity/lastSeen").asLong() == 7_000,
        "connectivity");
    JsonNode off = json(get("/devices/cn-off")).get("connectivity");
    assertThat(off.get("state").asText()).isEqualTo("offline");
    assertThat(off.get("offlineSince").asLong()).isEqualTo(9_000);
    assertThat(off.get("lastSeen").asLong()).isEqualTo(4_000);
    assertThat(json(get("/devices/cn-new")).at("/connectivity/state").asText())
        .isEqualTo("unknown");
    assertThat(ids(json(get("/devices?site=conn-site&connectivity=offline"))))
        .containsExactly("cn-off");
    assertThat(ids(json(get("/devices?site=conn-site&connectivity=ONLINE"))))
        .containsExactly("cn-back", "cn-on");
    assertThat(get("/devices?connectivity=sleepy").statusCode()).isEqualTo(400);

    JsonNode stats = json(get("/fleet/stats"));
    assertThat(stats.at("/bySite/conn-site").asInt()).isEqualTo(4);
    assertThat(stats.at("/byConnectivity/offline").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(stats.at("/byFirmware/2.0").asInt()).isEqualTo(4);
    assertThat(stats.at("/lowBattery/devices").asInt()).isEqualTo(1);
    assertThat(json(get("/fleet/stats?lowBattery=90")).at("/lowBattery/devices").asInt())
        .isEqualTo(2);
    assertThat(stats.at("/openAlertsBySeverity/WARNING").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(get("/fleet/stats?lowBattery=101").statusCode()).isEqualTo(400);
    assertThat(call("GET", "/fleet/stats", null, null).statusCode()).isEqualTo(401);
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("items").forEach(d -> ids.add(d.get("deviceId").asText()));
    return ids;
  }
}
