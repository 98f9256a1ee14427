package io.fleetpulse.api.internal;

import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.Device;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Fleet-level monitoring from the views: connection state, status, firmware, battery, alerts. */
public final class FleetRoutes {

  private static final String NONE = "(none)";

  private final DeviceStore devices;
  private final Connectivity connectivity;
  private final AlertStore alerts;

  public FleetRoutes(DeviceStore devices, Connectivity connectivity, AlertStore alerts) {
    this.devices = devices;
    this.connectivity = connectivity;
    this.alerts = alerts;
  }

  /** The fleet routes. */
  public List<ApiRoutes.Route> routes() {
    return List.of(new ApiRoutes.Route(HandlerType.GET, "/fleet/stats", Role.READER, this::stats));
  }

  void stats(Context ctx) {
    int lowBattery = Bodies.intParam(ctx, "lowBattery", 20, 0, 100);
    Map<String, Integer> byConnectivity = new TreeMap<>();
    for (Connectivity.State s : Connectivity.State.values()) {
      byConnectivity.put(s.label(), 0);
    }
    Map<String, Integer> byStatus = new TreeMap<>();
    Map<String, Integer> byFirmware = new TreeMap<>();
    Map<String, Integer> byType = new TreeMap<>();
    Map<String, Integer> bySite = new TreeMap<>();
    int total = 0;
    int low = 0;
    for (Device d : devices.all()) {
      total++;
      byConnectivity.merge(connectivity.state(d.getDeviceId()).label(), 1, Integer::sum);
      byStatus.merge(d.getStatus() == null ? NONE : d.getStatus().name(), 1, Integer::sum);
      byFirmware.merge(orNone(d.getFirmware()), 1, Integer::sum);
      byType.merge(orNone(d.getType()), 1, Integer::sum);
      bySite.merge(orNone(d.getSite()), 1, Integer::sum);
      Double battery = connectivity.battery(d.getDeviceId());
      if (battery != null && battery < lowBattery) {
        low++;
      }
    }
    Map<String, Integer> openAlerts = new TreeMap<>();
    for (Alert a : alerts.matching(a -> a.getState() != AlertState.RESOLVED)) {
      openAlerts.merge(a.getSeverity() == null ? NONE : a.getSeverity().name(), 1, Integer::sum);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("devices", total);
    body.put("byConnectivity", byConnectivity);
    body.put("byStatus", byStatus);
    body.put("byFirmware", byFirmware);
    body.put("byType", byType);
    body.put("bySite", bySite);
    body.put("lowBattery", Map.of("below", lowBattery, "devices", low));
    body.put("openAlertsBySeverity", openAlerts);
    ctx.json(body);
  }

  private static String orNone(String value) {
    return value == null || value.isEmpty() ? NONE : value;
  }
}
