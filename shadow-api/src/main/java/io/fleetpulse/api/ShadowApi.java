package io.fleetpulse.api;

import io.fleetpulse.api.graphql.GraphQlApi;
import io.fleetpulse.api.internal.AlertActionRoutes;
import io.fleetpulse.api.internal.AlertStore;
import io.fleetpulse.api.internal.ApiRoutes;
import io.fleetpulse.api.internal.CommandRoutes;
import io.fleetpulse.api.internal.CommandStore;
import io.fleetpulse.api.internal.Connectivity;
import io.fleetpulse.api.internal.DeviceStore;
import io.fleetpulse.api.internal.FleetRoutes;
import io.fleetpulse.api.internal.GroupRoutes;
import io.fleetpulse.api.internal.KafkaWriter;
import io.fleetpulse.api.internal.MetricsRoutes;
import io.fleetpulse.api.internal.Problem;
import io.fleetpulse.api.internal.RateLimits;
import io.fleetpulse.api.internal.Role;
import io.fleetpulse.api.internal.ShadowResponses;
import io.fleetpulse.api.internal.ShadowRoutes;
import io.fleetpulse.api.internal.ShadowStore;
import io.fleetpulse.api.internal.TopicView;
import io.fleetpulse.api.internal.ViewStore;
import io.fleetpulse.api.live.LiveStreams;
import io.fleetpulse.api.webhooks.Webhooks;
import io.fleetpulse.connectors.kafka.topics.TopicCheck;
import io.fleetpulse.model.ModelJson;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.javalin.security.RouteRole;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query and control API: serves the device registry, shadows and alerts from in-memory views of
 * their Kafka topics and writes registry changes, desired state and commands to Kafka.
 */
public final class ShadowApi implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ShadowApi.class);
  private static final String BEARER = "Bearer ";

  private final ShadowApiConfig config;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<TopicView> views;
  private final KafkaWriter writer;
  private final ApiRoutes routes;
  private final ShadowResponses shadowResponses;
  private final List<ApiRoutes.Route> moreRoutes;
  private final MetricsRoutes metrics;
  private final Webhooks webhooks;
  private final LiveStreams live;
  private final GraphQlApi graphql;
  private final byte[] openApi;
  private final ViewStore store;
  private Javalin app;

  public ShadowApi(ShadowApiConfig config) {
    this.config = config;
    store = ViewStore.open(config.serving.storeDir, config.serving.storeCacheMb);
    DeviceStore devices = new DeviceStore(store);
    ShadowStore shadows = new ShadowStore(store);
    AlertStore alerts = new AlertStore(config.maxAlertTransitions);
    Connectivity connectivity = new Connectivity();
    alerts.feed(connectivity);
    TopicView deviceView = view("devices", config.devicesTopic, devices);
    writer = new KafkaWriter(config.bootstrapServers, config.kafkaProperties, config.writeTimeout);
    webhooks =
        new Webhooks(
            config.webhooks,
            config.bootstrapServers,
            config.kafkaProperties,
            config.alertsTopic,
            devices,
            writer,
            config.writeTimeout,
            registry);
    live =
        new LiveStreams(
            config.live,
            config.bootstrapServers,
            config.kafkaProperties,
            config.alertsTopic,
            config.shadowsTopic,
            config.devicesTopic,
            config.apiKeys::roleOf);
    graphql =
        new GraphQlApi(
            config.graphql,
            devices,
            shadows,
            alerts,
            writer,
            config.apiKeys::roleOf,
            config.httpHost,
            this::port,
            live.feed());
    List<TopicView> all = new ArrayList<>();
    all.add(deviceView);
    all.add(view("shadows", config.shadowsTopic, shadows));
    all.add(view("alerts", config.alertsTopic, alerts));
    all.add(view("telemetry", config.telemetryAggTopic, connectivity));
    CommandStore commands = new CommandStore(config.maxTrackedCommands, System::currentTimeMillis);
    all.add(view("commands", config.commandsTopic, commands.commands()));
    all.add(view("command-acks", config.eventsTopic, commands.events()));
    all.addAll(webhooks.views());
    views = List.copyOf(all);
    routes =
        new ApiRoutes(
            devices,
            connectivity,
            shadows,
            alerts,
            deviceView,
            writer,
            config.writeTimeout,
            config.devicesTopic,
            config.commandsTopic);
    shadowResponses =
        new ShadowResponses(
            config.shadowResponsesTopic, config.bootstrapServers, config.kafkaProperties);
    List<ApiRoutes.Route> more = new ArrayList<>();
    more.addAll(
        new ShadowRoutes(devices, shadows, writer, shadowResponses, config.shadowDesiredTopic)
            .routes());
    more.addAll(new AlertActionRoutes(alerts, writer, config.alertActionsTopic).routes());
    more.addAll(
        new GroupRoutes(
                devices,
                connectivity,
                deviceView,
                writer,
                config.writeTimeout,
                config.devicesTopic,
                config.shadowDesiredTopic,
                config.commandsTopic)
            .routes());
    more.addAll(new FleetRoutes(devices, connectivity, alerts).routes());
    more.addAll(new CommandRoutes(commands).routes());
    metrics =
        new MetricsRoutes(
            config.influxUrl,
            config.influxDb,
            config.influxUser,
            config.influxPassword,
            config.influxToken);
    more.addAll(metrics.routes());
    moreRoutes = List.copyOf(more);
    openApi = resource("/openapi.json");
    Gauge.builder("fleetpulse.api.devices", devices, DeviceStore::size)
        .description("Devices in the registry view")
        .register(registry);
    Gauge.builder("fleetpulse.api.shadows", shadows, ShadowStore::size)
        .description("Shadows in the shadow view")
        .register(registry);
    Gauge.builder("fleetpulse.api.alerts", alerts, AlertStore::size)
        .description("Distinct alerts (by alertId) in the alert view")
        .register(registry);
    for (TopicView v : views) {
      Gauge.builder("fleetpulse.api.view.records.applied", v, TopicView::applied)
          .tag("view", v.name())
          .description("Records applied to the view since start")
          .register(registry);
      Gauge.builder("fleetpulse.api.view.records.unreadable", v, TopicView::unreadable)
          .tag("view", v.name())
          .description("Records skipped because they could not be read")
          .register(registry);
      Gauge.builder("fleetpulse.api.view.lag", v, TopicView::lag)
          .tag("view", v.name())
          .description("Records between what the view has read and its topic's end")
          .register(registry);
      Gauge.builder("fleetpulse.api.view.ready", v, x -> x.ready() ? 1 : 0)
          .tag("view", v.name())
          .description("1 once the view has read what its topic held at start")
          .register(registry);
    }
  }

  /** Checks the topics, starts the views and the HTTP server; readiness follows the views. */
  public ShadowApi start() {
    List<String> topics = new ArrayList<>(config.topics());
    topics.addAll(webhooks.topics());
    topics.addAll(config.graphql.topics());
    TopicCheck.requireTopics(config.bootstrapServers, config.kafkaProperties, topics, "shadow-api");
    views.forEach(TopicView::start);
    shadowResponses.start();
    webhooks.start();
    live.start();
    app =
        Javalin.create(
            c -> {
              c.showJavalinBanner = false;
              c.http.maxRequestSize = config.maxBodyBytes;
              c.jsonMapper(new JavalinJackson(ModelJson.mapper(), false));
              c.requestLogger.http(this::record);
              // The dashboard's static files; they hold no data (the key is the user's).
              c.staticFiles.add(
                  f -> {
                    f.hostedPath = "/dashboard";
                    f.directory = "/dashboard";
                    f.location = io.javalin.http.staticfiles.Location.CLASSPATH;
                  });
            });
    app.beforeMatched(this::refuseLargeBody);
    app.beforeMatched(this::authorize);
    app.get("/health", this::health);
    app.get(
        "/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(registry.scrape()));
    app.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
    for (ApiRoutes.Route route : routes()) {
      app.addHttpHandler(route.method(), route.path(), route.handler(), route.role());
    }
    live.registerWebSockets(app);
    graphql.registerWebSocket(app);
    app.exception(Problem.class, (e, ctx) -> problem(ctx, e.status(), e.body()));
    app.exception(
        HttpResponseException.class,
        (e, ctx) ->
            problem(
                ctx,
                e.getStatus(),
                Problem.body(e.getStatus(), "http_" + e.getStatus(), null, e.getMessage())));
    app.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
          problem(ctx, 500, Problem.body(500, "internal_error", null, "unexpected error"));
        });
    app.error(
        404,
        ctx -> {
          if (ctx.result() == null) {
            problem(ctx, 404, Problem.body(404, "no_such_route", null, "no route " + ctx.path()));
          }
        });
    app.start(config.httpHost, config.httpPort);
    LOG.info("shadow-api listening on {}:{}", config.httpHost, app.port());
    return this;
  }

  /** The HTTP port (the chosen one when 0 was configured). */
  public int port() {
    return app.port();
  }

  /** Whether every view has read what its topic held at start. */
  public boolean ready() {
    return views.stream().allMatch(TopicView::ready);
  }

  /** The routes the API serves besides {@code /health}, {@code /metrics}, {@code /openapi.json}. */
  public List<ApiRoutes.Route> routes() {
    List<ApiRoutes.Route> all = new ArrayList<>(routes.routes());
    all.addAll(moreRoutes);
    all.addAll(webhooks.routes());
    all.addAll(live.routes());
    all.addAll(graphql.routes());
    return all;
  }

  /** Whether the push streams are positioned on their topics. */
  public boolean streaming() {
    return live.started();
  }

  /** Whether this instance's webhook dispatcher holds partitions of the alert topic. */
  public boolean deliveringWebhooks() {
    return webhooks.delivering();
  }

  private void authorize(Context ctx) {
    Set<RouteRole> needed = ctx.routeRoles();
    if (needed.isEmpty()) {
      return; // health, metrics, the API document: for probes and tools
    }
    String key = ctx.header("X-Api-Key");
    String auth = ctx.header("Authorization");
    if (key == null && auth != null && auth.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      key = auth.substring(BEARER.length()).strip();
    }
    Role role = config.apiKeys.roleOf(key);
    if (role == null) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new Problem(
          401,
          key == null ? "missing_api_key" : "invalid_api_key",
          "Authorization",
          "send an API key as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'");
    }
    String keyId = RateLimits.keyId(key);
    ctx.attribute(AlertActionRoutes.CALLER, "key:" + keyId);
    long retryAfter = config.serving.rateLimits.acquire(keyId, role);
    if (retryAfter > 0) {
      ctx.header("Retry-After", String.valueOf(retryAfter));
      throw new Problem(
          429,
          "rate_limited",
          null,
          "this key may send "
              + config.serving.rateLimits.limitOf(keyId, role)
              + "; retry after "
              + retryAfter
              + " s");
    }
    Role required = (Role) needed.iterator().next();
    if (!role.includes(required)) {
      throw new Problem(
          403, "forbidden", null, "this route needs the role " + required.label() + " or above");
    }
  }

  /**
   * 413 for a body over the limit on every route, also those that read none (Javalin checks only
   * when a body is read): by its length, or for a chunked GET by reading at most the limit.
   */
  private void refuseLargeBody(Context ctx) throws IOException {
    long length = ctx.req().getContentLengthLong();
    boolean tooLarge = length > config.maxBodyBytes;
    if (length < 0
        && ctx.header("Transfer-Encoding") != null
        && ctx.method() == io.javalin.http.HandlerType.GET) {
      tooLarge =
          ctx.req().getInputStream().readNBytes(config.maxBodyBytes + 1).length
              > config.maxBodyBytes;
    }
    if (tooLarge) {
      throw new Problem(
          413,
          "body_too_large",
          "body",
          "request bodies are limited to " + config.maxBodyBytes + " bytes");
    }
  }

  private void health(Context ctx) {
    Map<String, Object> body = new LinkedHashMap<>();
    boolean started = ready();
    boolean stuck = views.stream().anyMatch(v -> v.stuck(config.serving.viewStuckAfter));
    boolean ready = started && !stuck;
    body.put("status", ready ? "UP" : stuck ? "VIEW_STUCK" : "STARTING");
    Map<String, Object> byView = new LinkedHashMap<>();
    for (TopicView v : views) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("ready", v.ready());
      one.put("startLag", v.startLag());
      one.put("lag", v.lag());
      one.put("stuck", v.stuck(config.serving.viewStuckAfter));
      one.put("applied", v.applied());
      one.put("unreadable", v.unreadable());
      if (v.failure() != null) {
        one.put("failure", v.failure());
      }
      byView.put(v.name(), one);
    }
    body.put("views", byView);
    Boolean influx = metrics.reachable();
    if (influx != null) {
      body.put("influxdb", Map.of("reachable", influx));
    }
    if (shadowResponses.failure() != null) {
      body.put("shadowResponses", Map.of("failure", shadowResponses.failure()));
    }
    if (!webhooks.failures().isEmpty()) {
      body.put("failures", webhooks.failures());
    }
    ctx.status(ready ? 200 : 503).json(body);
  }

  private void record(Context ctx, Float ms) {
    String route;
    try {
      route = ctx.endpointHandlerPath();
    } catch (IllegalStateException noEndpoint) {
      route = null; // a 404 that matched no route: Javalin refuses to name one
    }
    Timer.builder("fleetpulse.api.requests")
        .description("HTTP requests by method, route template and status")
        .tag("method", ctx.method().name())
        .tag("route", route == null || route.isEmpty() ? "unmatched" : route)
        .tag("status", String.valueOf(ctx.statusCode()))
        .register(registry)
        .record((long) (ms * 1000), TimeUnit.MICROSECONDS);
  }

  private static void problem(Context ctx, int status, Map<String, Object> body) {
    ctx.status(status).contentType("application/problem+json").result(ModelJson.toBytes(body));
  }

  private TopicView view(String name, String topic, TopicView.Materializer materializer) {
    return new TopicView(
        name, topic, config.bootstrapServers, config.kafkaProperties, materializer);
  }

  private static byte[] resource(String name) {
    try (InputStream in = ShadowApi.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (app != null) {
      app.stop();
    }
    webhooks.close();
    live.close();
    views.forEach(TopicView::close);
    store.close();
    shadowResponses.close();
    writer.close();
    registry.close();
  }
}
