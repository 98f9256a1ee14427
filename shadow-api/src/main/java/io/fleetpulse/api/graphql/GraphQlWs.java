package io.fleetpulse.api.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import graphql.ExecutionResult;
import io.fleetpulse.api.internal.Role;
import io.fleetpulse.model.ModelJson;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * GraphQL subscriptions over WebSocket at {@code /graphql} with the graphql-ws protocol ({@code
 * graphql-transport-ws}): connection_init (with the API key) → connection_ack, subscribe → next …
 * complete, ping/pong. Close codes as the protocol has them (4400, 4403, 4406, 4409, 4429).
 */
final class GraphQlWs {

  static final String PROTOCOL = "graphql-transport-ws";
  private static final String SUBPROTOCOL_HEADER = "Sec-WebSocket-Protocol";

  private final GraphQlApi api;
  private final Function<String, Role> roleOfKey;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  GraphQlWs(GraphQlApi api, Function<String, Role> roleOfKey) {
    this.api = api;
    this.roleOfKey = roleOfKey;
  }

  private static final class Session {
    volatile String key;
    volatile Role role;
    final Map<String, Subscription> operations = new ConcurrentHashMap<>();
  }

  void register(Javalin app) {
    // Javalin answers with the first subprotocol offered; ours is chosen when it is among them.
    app.wsBeforeUpgrade(
        "/graphql",
        ctx -> {
          if (offers(ctx.header(SUBPROTOCOL_HEADER))) {
            ctx.header(SUBPROTOCOL_HEADER, PROTOCOL);
          }
        });
    app.ws(
        "/graphql",
        ws -> {
          ws.onConnect(
              ctx -> {
                // as graphql-ws's own server: a socket without the subprotocol is closed with 4406
                if (!offers(ctx.header(SUBPROTOCOL_HEADER))) {
                  ctx.closeSession(4406, "Subprotocol not acceptable");
                  return;
                }
                sessions.put(ctx.sessionId(), new Session());
              });
          ws.onMessage(ctx -> message(ctx, ctx.message()));
          ws.onClose(ctx -> end(ctx.sessionId()));
          ws.onError(ctx -> end(ctx.sessionId()));
        });
  }

  /** Whether a {@code Sec-WebSocket-Protocol} request header lists {@link #PROTOCOL}. */
  static boolean offers(String header) {
    if (header == null) {
      return false;
    }
    for (String p : header.split(",")) {
      if (p.strip().equals(PROTOCOL)) {
        return true;
      }
    }
    return false;
  }

  private void end(String sessionId) {
    Session s = sessions.remove(sessionId);
    if (s != null) {
      s.operations.values().forEach(Subscription::cancel);
    }
  }

  private void message(WsContext ctx, String text) {
    Session s = sessions.get(ctx.sessionId());
    if (s == null) {
      return;
    }
    JsonNode m;
    try {
      m = ModelJson.mapper().readTree(text);
    } catch (IOException e) {
      ctx.closeSession(4400, "message is not JSON");
      return;
    }
    String type = m.path("type").asText();
    switch (type) {
      case "connection_init" -> {
        if (s.role != null) {
          ctx.closeSession(4429, "Too many initialisation requests");
          return;
        }
        String key = GraphQlWs.key(m.path("payload"), ctx);
        Role role = key == null ? null : roleOfKey.apply(key);
        if (role == null) {
          ctx.closeSession(4403, "Forbidden");
          return;
        }
        s.key = key;
        s.role = role;
        send(ctx, Map.of("type", "connection_ack"));
      }
      case "ping" -> send(ctx, Map.of("type", "pong"));
      case "pong" -> {}
      case "subscribe" -> subscribe(ctx, s, m);
      case "complete" -> {
        Subscription sub = s.operations.remove(m.path("id").asText());
        if (sub != null) {
          sub.cancel();
        }
      }
      default -> ctx.closeSession(4400, "unknown message type '" + type + "'");
    }
  }

  private static String key(JsonNode payload, WsContext ctx) {
    if (payload.hasNonNull("apiKey")) {
      return payload.get("apiKey").asText();
    }
    String auth =
        payload.hasNonNull("Authorization")
            ? payload.get("Authorization").asText()
            : ctx.header("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).strip();
    }
    return ctx.header("X-Api-Key");
  }

  private void subscribe(WsContext ctx, Session s, JsonNode m) {
    if (s.role == null) {
      ctx.closeSession(4401, "Unauthorized");
      return;
    }
    String id = m.path("id").asText();
    if (id.isEmpty()) {
      ctx.closeSession(4400, "subscribe needs an id");
      return;
    }
    if (s.operations.containsKey(id)) {
      ctx.closeSession(4409, "Subscriber for " + id + " already exists");
      return;
    }
    JsonNode payload = m.path("payload");
    JsonNode vars = payload.get("variables");
    ExecutionResult result =
        api.run(
            payload.path("query").asText(),
            vars,
            payload.hasNonNull("operationName") ? payload.get("operationName").asText() : null,
            s.key);
    if (!result.getErrors().isEmpty()) {
      send(ctx, message("error", id, result.toSpecification().get("errors")));
      return;
    }
    Object data = result.getData();
    if (!(data instanceof Publisher)) {
      // a query or mutation over the socket: one result, then complete
      send(ctx, message("next", id, result.toSpecification()));
      send(ctx, Map.of("type", "complete", "id", id));
      return;
    }
    @SuppressWarnings("unchecked")
    Publisher<ExecutionResult> events = (Publisher<ExecutionResult>) data;
    events.subscribe(
        new Subscriber<>() {
          @Override
          public void onSubscribe(Subscription subscription) {
            s.operations.put(id, subscription);
            subscription.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(ExecutionResult next) {
            send(ctx, message("next", id, next.toSpecification()));
          }

          @Override
          public void onError(Throwable t) {
            s.operations.remove(id);
            send(
                ctx,
                message("error", id, List.of(Map.of("message", String.valueOf(t.getMessage())))));
          }

          @Override
          public void onComplete() {
            s.operations.remove(id);
            send(ctx, Map.of("type", "complete", "id", id));
          }
        });
  }

  private static Map<String, Object> message(String type, String id, Object payload) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    m.put("id", id);
    m.put("payload", payload);
    return m;
  }

  private static void send(WsContext ctx, Object message) {
    if (ctx.session.isOpen()) {
      synchronized (ctx.session) {
        ctx.send(new String(ModelJson.toBytes(message), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
  }
}
