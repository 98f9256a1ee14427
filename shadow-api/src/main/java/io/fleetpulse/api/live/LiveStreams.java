package io.fleetpulse.api.live;

import io.fleetpulse.api.internal.ApiRoutes;
import io.fleetpulse.api.internal.Problem;
import io.fleetpulse.api.internal.Role;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.DeviceIds;
import io.fleetpulse.model.ModelJson;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Push streams over Server-Sent Events and WebSocket: {@code /stream/alerts} and {@code
 * /stream/devices/{deviceId}} (and {@code /ws/...} for the same), fed by one {@link LiveFeed}.
 */
public final class LiveStreams implements AutoCloseable {

  private static final String BEARER = "Bearer ";

  private final LiveOptions options;
  private final LiveFeed feed;
  private final Function<String, Role> roleOfKey;
  private final ExecutorService writers;
  private final ScheduledExecutorService ticks;
  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();

  public LiveStreams(
      LiveOptions options,
      String bootstrapServers,
      Map<String, String> kafkaProperties,
      String alertsTopic,
      String shadowsTopic,
      String devicesTopic,
      Function<String, Role> roleOfKey) {
    this.options = options;
    this.roleOfKey = roleOfKey;
    Map<LiveFeed.Kind, String> topics = new EnumMap<>(LiveFeed.Kind.class);
    topics.put(LiveFeed.Kind.ALERT, alertsTopic);
    topics.put(LiveFeed.Kind.SHADOW, shadowsTopic);
    topics.put(LiveFeed.Kind.DEVICE, devicesTopic);
    topics.put(LiveFeed.Kind.AGGREGATE, options.aggTopic);
    feed = new LiveFeed(bootstrapServers, kafkaProperties, topics, options.buffer);
    AtomicInteger n = new AtomicInteger();
    writers =
        Executors.newFixedThreadPool(
            Math.max(4, Runtime.getRuntime().availableProcessors() * 2),
            r -> {
              Thread t = new Thread(r, "api-stream-writer-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    ticks =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "api-stream-heartbeat");
              t.setDaemon(true);
              return t;
            });
  }

  /** The feed, for other push APIs (GraphQL subscriptions). */
  public LiveFeed feed() {
    return feed;
  }

  public void start() {
    feed.start();
    long ms = options.heartbeat.toMillis();
    ticks.scheduleAtFixedRate(this::heartbeat, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Whether the feed is positioned (clients then miss nothing from their connection on). */
  public boolean started() {
    return feed.started();
  }

  public int clients() {
    return subscribers.size();
  }

  public List<ApiRoutes.Route> routes() {
    return List.of(
        new ApiRoutes.Route(HandlerType.GET, "/stream/alerts", Role.READER, this::sseAlerts),
        new ApiRoutes.Route(
            HandlerType.GET, "/stream/devices/{deviceId}", Role.READER, this::sseDevice));
  }

  /**
   * Registers the WebSocket endpoints (they authenticate themselves: browsers cannot set headers).
   */
  public void registerWebSockets(Javalin app) {
    app.ws("/ws/alerts", ws -> websocket(ws, q -> alertFilter(q)));
    app.ws("/ws/devices/{deviceId}", ws -> websocket(ws, null));
  }

  // ----- SSE ------------------------------------------------------------------------------------

  private void sseAlerts(Context ctx) throws Exception {
    Predicate<LiveFeed.Entry> filter = alertFilter(ctx::queryParam);
    sse(ctx, filter);
  }

  private void sseDevice(Context ctx) throws Exception {
    sse(ctx, deviceFilter(deviceId(ctx.pathParam("deviceId"))));
  }

  private void sse(Context ctx, Predicate<LiveFeed.Entry> filter) throws Exception {
    String last = ctx.header("Last-Event-ID");
    if (last == null) {
      last = ctx.queryParam("lastEventId");
    }
    String from = resumeFrom(last);
    new SseHandler(
            client -> {
              client.keepAlive();
              Subscriber s =
                  new Subscriber(
                      filter,
                      LiveStreams::render,
                      new SseOutput(client),
                      writers,
                      options.maxQueued);
              client.onClose(() -> drop(s));
              connect(s, from);
            })
        .handle(ctx);
  }

  private static final class SseOutput implements Subscriber.Output {
    private final SseClient client;

    SseOutput(SseClient client) {
      this.client = client;
    }

    @Override
    public void send(Subscriber.Event e) throws Exception {
      client.sendEvent(e.name(), e.data(), e.id());
      if (client.terminated()) {
        throw new IllegalStateException("client gone");
      }
    }

    @Override
    public void close() {
      client.close();
    }
  }

  // ----- WebSocket ------------------------------------------------------------------------------

  private void websocket(
      WsConfig ws, Function<Function<String, String>, Predicate<LiveFeed.Entry>> alerts) {
    Map<String, Subscriber> bySession = new ConcurrentHashMap<>();
    ws.onConnect(
        ctx -> {
          Role role = roleOfKey.apply(key(ctx));
          if (role == null) {
            ctx.closeSession(4401, "unauthorized: send an API key");
            return;
          }
          Predicate<LiveFeed.Entry> filter;
          String from;
          try {
            filter =
                alerts != null
                    ? alerts.apply(ctx::queryParam)
                    : deviceFilter(deviceId(ctx.pathParam("deviceId")));
            from = resumeFrom(ctx.queryParam("lastEventId"));
          } catch (Problem p) {
            ctx.closeSession(4400, p.getMessage());
            return;
          }
          ctx.enableAutomaticPings(15, TimeUnit.SECONDS, null);
          Subscriber s =
              new Subscriber(
                  filter, LiveStreams::render, new WsOutput(ctx), writers, options.maxQueued);
          bySession.put(ctx.sessionId(), s);
          connect(s, from);
        });
    ws.onClose(
        ctx -> {
          Subscriber s = bySession.remove(ctx.sessionId());
          if (s != null) {
            drop(s);
          }
        });
    ws.onError(
        ctx -> {
          Subscriber s = bySession.remove(ctx.sessionId());
          if (s != null) {
            drop(s);
          }
        });
  }

  private static String key(WsContext ctx) {
    String key = ctx.header("X-Api-Key");
    String auth = ctx.header("Authorization");
    if (key == null && auth != null && auth.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      key = auth.substring(BEARER.length()).strip();
    }
    return key != null ? key : ctx.queryParam("apiKey");
  }

  private static final class WsOutput implements Subscriber.Output {
    private final WsContext ctx;

    WsOutput(WsContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void send(Subscriber.Event e) {
      ctx.send(
          "{\"event\":\"" + e.name() + "\",\"id\":\"" + e.id() + "\",\"data\":" + e.data() + "}");
    }

    @Override
    public void close() {
      if (ctx.session.isOpen()) {
        ctx.closeSession(1001, "closing");
      }
    }
  }

  // ----- shared
  // -----------------------------------------------------------------------------------

  private void connect(Subscriber s, String from) {
    subscribers.add(s);
    s.onClose(() -> drop(s));
    feed.subscribe(
        from,
        s,
        replay -> {
          if (replay.gap()) {
            // Older events are gone from the buffer: the client should reload (GET /alerts) first.
            s.enqueue(new Subscriber.Event("gap", "{\"reload\":true}", replay.position()));
          }
          s.replay(replay.missed());
          // Tells the client it is subscribed, and gives it an id to resume from.
          s.enqueue(position(replay.position()));
        });
  }

  private static Subscriber.Event position(String id) {
    return new Subscriber.Event("position", "\"" + id + "\"", id);
  }

  private void drop(Subscriber s) {
    feed.unsubscribe(s);
    subscribers.remove(s);
  }

  private void heartbeat() {
    feed.tick(id -> subscribers.forEach(s -> s.enqueue(position(id))));
  }

  private static Subscriber.Event render(LiveFeed.Entry e) {
    String name = e.kind().name().toLowerCase(Locale.ROOT);
    String data = e.text();
    if (data == null) {
      data = "{\"deviceId\":" + quoted(e.key()) + ",\"deleted\":true}";
    }
    return new Subscriber.Event(name, data, e.id());
  }

  private static String quoted(String s) {
    return new String(ModelJson.toBytes(s), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String resumeFrom(String last) {
    if (last == null || last.isBlank()) {
      return null;
    }
    if (!LiveFeed.valid(last.strip())) {
      throw Problem.badField("Last-Event-ID", "invalid_event_id", "not an event id of this stream");
    }
    return last.strip();
  }

  private static String deviceId(String id) {
    String problem = DeviceIds.problem(id);
    if (problem != null) {
      throw Problem.badField("deviceId", "invalid_device_id", problem);
    }
    return id;
  }

  private static Predicate<LiveFeed.Entry> deviceFilter(String deviceId) {
    return e ->
        e.kind() == LiveFeed.Kind.ALERT
            ? e.alert() != null && deviceId.equals(e.alert().getDeviceId())
            : deviceId.equals(e.key());
  }

  /** The filters of {@code GET /alerts}: deviceId, type, severity, state. */
  static Predicate<LiveFeed.Entry> alertFilter(Function<String, String> param) {
    String deviceId = blankToNull(param.apply("deviceId"));
    if (deviceId != null) {
      deviceId(deviceId);
    }
    String type = blankToNull(param.apply("type"));
    AlertSeverity severity = enumOf("severity", param.apply("severity"), AlertSeverity.class);
    AlertState state = enumOf("state", param.apply("state"), AlertState.class);
    String device = deviceId;
    return e -> {
      Alert a = e.alert();
      return e.kind() == LiveFeed.Kind.ALERT
          && a != null
          && (device == null || device.equals(a.getDeviceId()))
          && (type == null || type.equals(a.getType()))
          && (severity == null || severity == a.getSeverity())
          && (state == null || state == a.getState());
    };
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static <E extends Enum<E>> E enumOf(String name, String text, Class<E> type) {
    if (text == null || text.isBlank()) {
      return null;
    }
    for (E c : type.getEnumConstants()) {
      if (c.name().equalsIgnoreCase(text)) {
        return c;
      }
    }
    throw Problem.badField(
        name,
        "invalid_value",
        name + " must be one of " + java.util.Arrays.toString(type.getEnumConstants()));
  }

  @Override
  public void close() {
    ticks.shutdownNow();
    for (Subscriber s : subscribers) {
      s.close();
    }
    feed.close();
    writers.shutdownNow();
  }
}
