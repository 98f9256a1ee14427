package io.fleetpulse.api.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Map;

/** The delivery status of commands sent with {@code POST /devices/{id}/commands}. */
public final class CommandRoutes {

  private final CommandStore commands;

  public CommandRoutes(CommandStore commands) {
    this.commands = commands;
  }

  /** The command status routes. */
  public List<ApiRoutes.Route> routes() {
    return List.of(
        new ApiRoutes.Route(
            HandlerType.GET, "/devices/{deviceId}/commands", Role.READER, this::list),
        new ApiRoutes.Route(
            HandlerType.GET, "/devices/{deviceId}/commands/{commandId}", Role.READER, this::get));
  }

  void list(Context ctx) {
    String deviceId = ApiRoutes.deviceId(ctx);
    int limit = Bodies.intParam(ctx, "limit", 100, 1, 1000);
    ctx.json(Map.of("items", commands.ofDevice(deviceId, limit)));
  }

  void get(Context ctx) {
    String deviceId = ApiRoutes.deviceId(ctx);
    String commandId = ctx.pathParam("commandId");
    Map<String, Object> command = commands.get(deviceId, commandId);
    if (command == null) {
      throw new Problem(
          404,
          "unknown_command",
          "commandId",
          "no recent command '" + commandId + "' of device '" + deviceId + "'");
    }
    ctx.json(command);
  }
}
