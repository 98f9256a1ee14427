package io.fleetpulse.api.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLContext;
import graphql.GraphqlErrorBuilder;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.DataFetcherResult;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import io.fleetpulse.api.internal.AlertStore;
import io.fleetpulse.api.internal.ApiRoutes;
import io.fleetpulse.api.internal.Bodies;
import io.fleetpulse.api.internal.DeviceStore;
import io.fleetpulse.api.internal.KafkaWriter;
import io.fleetpulse.api.internal.Problem;
import io.fleetpulse.api.internal.Role;
import io.fleetpulse.api.internal.ShadowStore;
import io.fleetpulse.api.live.LiveFeed;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertAction;
import io.fleetpulse.model.AlertActionType;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.ShadowDocument;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * {@code POST /graphql} (graphql-java) over the API's views; mutations go through the REST routes
 * themselves (an in-process loopback call with the caller's key), so validation, roles and Kafka
 * writes are the REST ones. Depth and complexity are capped by graphql-java's instrumentations.
 */
public final class GraphQlApi {

  private static final String KEY = "fleetpulse.key";
  private static final String ROLE = "fleetpulse.role";
  private static final int MAX_QUEUED = 10_000;
  private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>
      EXTENSIONS = new com.fasterxml.jackson.core.type.TypeReference<>() {};

  private final DeviceStore devices;
  private final ShadowStore shadows;
  private final AlertStore alerts;
  private final KafkaWriter writer;
  private final String actionsTopic;
  private final Function<String, Role> roleOfKey;
  private final IntSupplier port;
  private final LiveFeed feed;
  private final String host;
  private final byte[] schemaText;
  private final GraphQL graphql;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public GraphQlApi(
      GraphQlOptions options,
      DeviceStore devices,
      ShadowStore shadows,
      AlertStore alerts,
      KafkaWriter writer,
      Function<String, Role> roleOfKey,
      String httpHost,
      IntSupplier port,
      LiveFeed feed) {
    this.feed = feed;
    this.devices = devices;
    this.shadows = shadows;
    this.alerts = alerts;
    this.writer = writer;
    this.actionsTopic = options.actionsTopic;
    this.roleOfKey = roleOfKey;
    this.port = port;
    this.host = httpHost.equals("0.0.0.0") || httpHost.equals("::") ? "127.0.0.1" : httpHost;
    this.schemaText = resource("/graphql/schema.graphqls");
    GraphQLSchema schema =
        new SchemaGenerator()
            .makeExecutableSchema(
                new SchemaParser().parse(new String(schemaText, StandardCharsets.UTF_8)), wiring());
    graphql =
        GraphQL.newGraphQL(schema)
            .instrumentation(
                new ChainedInstrumentation(
                    new MaxQueryDepthInstrumentation(options.maxDepth),
                    new MaxQueryComplexityInstrumentation(options.maxComplexity)))
            .build();
  }

  /** The schema, for subscriptions. */
  GraphQL graphql() {
    return graphql;
  }

  public List<ApiRoutes.Route> routes() {
    return List.of(
        new ApiRoutes.Route(HandlerType.POST, "/graphql", Role.READER, this::execute),
        new ApiRoutes.Route(
            HandlerType.GET,
            "/graphql/schema",
            Role.READER,
            ctx -> ctx.contentType("text/plain; charset=utf-8").result(schemaText)));
  }

  private void execute(Context ctx) {
    ObjectNode body = Bodies.object(ctx);
    JsonNode query = body.get("query");
    if (query == null || !query.isTextual() || query.asText().isBlank()) {
      throw Problem.badField("query", "missing_query", "query must be a GraphQL document");
    }
    JsonNode vars = body.get("variables");
    if (vars != null && !vars.isNull() && !vars.isObject()) {
      throw Problem.badField("variables", "wrong_type", "variables must be an object");
    }
    String key = key(ctx);
    ExecutionResult result = run(query.asText(), vars, textOrNull(body.get("operationName")), key);
    ctx.json(result.toSpecification());
  }

  /** Runs one operation for the holder of {@code key}. */
  ExecutionResult run(String query, JsonNode vars, String operationName, String key) {
    @SuppressWarnings("unchecked")
    Map<String, Object> variables =
        vars == null || vars.isNull() ? Map.of() : ModelJson.mapper().convertValue(vars, Map.class);
    Role role = key == null ? null : roleOfKey.apply(key);
    ExecutionInput.Builder input =
        ExecutionInput.newExecutionInput()
            .query(query)
            .variables(variables)
            .graphQLContext(
                Map.of(KEY, key == null ? "" : key, ROLE, role == null ? Role.READER : role));
    if (operationName != null) {
      input.operationName(operationName);
    }
    return graphql.execute(input.build());
  }

  static String key(Context ctx) {
    String key = ctx.header("X-Api-Key");
    String auth = ctx.header("Authorization");
    if (key == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      key = auth.substring(7).strip();
    }
    return key;
  }

  private RuntimeWiring wiring() {
    return RuntimeWiring.newRuntimeWiring()
        .scalar(JsonScalar.INSTANCE)
        .type("Query", t -> t.dataFetcher("device", this::device))
        .type("Query", t -> t.dataFetcher("devices", this::devices))
        .type("Query", t -> t.dataFetcher("alerts", this::alerts))
        .type("Query", t -> t.dataFetcher("metrics", this::metrics))
        .type("Device", t -> t.dataFetcher("shadow", this::shadowOf))
        .type("Device", t -> t.dataFetcher("alerts", this::alertsOf))
        .type(
            "Alert",
            t -> t.dataFetcher("device", e -> devices.get(((Alert) e.getSource()).getDeviceId())))
        .type("Mutation", t -> t.dataFetcher("updateDevice", this::updateDevice))
        .type("Mutation", t -> t.dataFetcher("controlDevice", this::controlDevice))
        .type("Mutation", t -> t.dataFetcher("updateShadow", this::updateShadow))
        .type("Mutation", t -> t.dataFetcher("ackAlert", this::ackAlert))
        .type("Subscription", t -> t.dataFetcher("onAlertTriggered", this::onAlertTriggered))
        .type("Subscription", t -> t.dataFetcher("onDeviceUpdate", this::onDeviceUpdate))
        .type("Subscription", t -> t.dataFetcher("onStatusChange", this::onStatusChange))
        .build();
  }

  /** Registers the graphql-ws endpoint for subscriptions at {@code /graphql}. */
  public void registerWebSocket(Javalin app) {
    new GraphQlWs(this, roleOfKey).register(app);
  }

  // ----- subscriptions --------------------------------------------------------------------------

  private FeedPublisher onAlertTriggered(DataFetchingEnvironment e) {
    String deviceId = e.getArgument("deviceId");
    String severity = e.getArgument("severity");
    String state = e.getArgument("state");
    return new FeedPublisher(
        feed,
        entry -> {
          Alert a = entry.alert();
          return entry.kind() == LiveFeed.Kind.ALERT
                  && a != null
                  && (deviceId == null || deviceId.equals(a.getDeviceId()))
                  && (severity == null || AlertSeverity.valueOf(severity) == a.getSeverity())
                  && (state == null || AlertState.valueOf(state) == a.getState())
              ? a
              : null;
        },
        MAX_QUEUED);
  }

  private FeedPublisher onDeviceUpdate(DataFetchingEnvironment e) {
    String deviceId = e.getArgument("deviceId");
    return new FeedPublisher(feed, entry -> deviceRecord(entry, deviceId), MAX_QUEUED);
  }

  private FeedPublisher onStatusChange(DataFetchingEnvironment e) {
    String deviceId = e.getArgument("deviceId");
    Map<String, DeviceStatus> last = new java.util.concurrent.ConcurrentHashMap<>();
    for (Device d : devices.all()) {
      if (d.getStatus() != null && (deviceId == null || deviceId.equals(d.getDeviceId()))) {
        last.put(d.getDeviceId(), d.getStatus());
      }
    }
    return new FeedPublisher(
        feed,
        entry -> {
          Device d = deviceRecord(entry, deviceId);
          if (d == null || d.getStatus() == null) {
            return null;
          }
          DeviceStatus before = last.put(d.getDeviceId(), d.getStatus());
          return d.getStatus() == before ? null : d;
        },
        MAX_QUEUED);
  }

  private static Device deviceRecord(LiveFeed.Entry entry, String deviceId) {
    if (entry.kind() != LiveFeed.Kind.DEVICE
        || entry.value() == null
        || entry.value().length == 0
        || (deviceId != null && !deviceId.equals(entry.key()))) {
      return null;
    }
    try {
      return ModelJson.fromBytes(entry.value(), Device.class);
    } catch (IllegalArgumentException ex) {
      return null;
    }
  }

  // ----- queries --------------------------------------------------------------------------------

  private Device device(DataFetchingEnvironment e) {
    return devices.get(e.getArgument("deviceId"));
  }

  private Map<String, Object> devices(DataFetchingEnvironment e) {
    String type = e.getArgument("type");
    String site = e.getArgument("site");
    String status = e.getArgument("status");
    int limit = limit(e, 1000);
    String after = e.getArgument("after");
    String afterId =
        after == null
            ? null
            : new String(Base64.getUrlDecoder().decode(after), StandardCharsets.UTF_8);
    DeviceStore.Page<Device> page =
        devices.page(
            afterId,
            limit,
            d ->
                (type == null || type.equals(d.getType()))
                    && (site == null || site.equals(d.getSite()))
                    && (status == null || DeviceStatus.valueOf(status) == d.getStatus()));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("items", page.items());
    if (page.more()) {
      String last = page.items().get(page.items().size() - 1).getDeviceId();
      result.put(
          "nextCursor",
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(last.getBytes(StandardCharsets.UTF_8)));
    }
    return result;
  }

  private List<Alert> alerts(DataFetchingEnvironment e) {
    String deviceId = e.getArgument("deviceId");
    String type = e.getArgument("type");
    String severity = e.getArgument("severity");
    String state = e.getArgument("state");
    List<Alert> all =
        alerts.matching(
            a ->
                (deviceId == null || deviceId.equals(a.getDeviceId()))
                    && (type == null || type.equals(a.getType()))
                    && (severity == null || AlertSeverity.valueOf(severity) == a.getSeverity())
                    && (state == null || AlertState.valueOf(state) == a.getState()));
    return new ArrayList<>(all.subList(0, Math.min(limit(e, 1000), all.size())));
  }

  private Map<String, Object> shadowOf(DataFetchingEnvironment e) {
    ShadowDocument doc = shadows.get(((Device) e.getSource()).getDeviceId());
    if (doc == null) {
      return null;
    }
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("version", doc.getVersion());
    s.put("timestamp", doc.getTimestamp());
    if (doc.getState() != null) {
      s.put("desired", doc.getState().getDesired());
      s.put("reported", doc.getState().getReported());
      s.put("delta", doc.getState().getDelta());
    }
    s.put("metadata", doc.getMetadata());
    return s;
  }

  private List<Alert> alertsOf(DataFetchingEnvironment e) {
    String id = ((Device) e.getSource()).getDeviceId();
    String state = e.getArgument("state");
    List<Alert> all =
        alerts.matching(
            a ->
                id.equals(a.getDeviceId())
                    && (state == null || AlertState.valueOf(state) == a.getState()));
    return new ArrayList<>(all.subList(0, Math.min(limit(e, 1000), all.size())));
  }

  private static int limit(DataFetchingEnvironment e, int max) {
    Integer limit = e.getArgument("limit");
    if (limit == null) {
      return 100;
    }
    if (limit < 1 || limit > max) {
      throw new IllegalArgumentException("limit must be from 1 to " + max);
    }
    return limit;
  }

  /**
   * The REST metrics routes themselves (their validation, InfluxQL and InfluxDB access), called in
   * process; each series gets the device it belongs to.
   */
  private DataFetcherResult<Object> metrics(DataFetchingEnvironment e) {
    String deviceId = e.getArgument("deviceId");
    StringBuilder query = new StringBuilder("?metric=").append(param(e.getArgument("metric")));
    for (String name : List.of("from", "to")) {
      Double value = e.getArgument(name);
      if (value != null) {
        query.append('&').append(name).append('=').append(param(String.valueOf(value.longValue())));
      }
    }
    String every = e.getArgument("every");
    if (every != null) {
      query.append("&every=").append(param(every));
    }
    String path;
    if (deviceId != null) {
      path = "/devices/" + path(deviceId) + "/metrics" + query;
    } else {
      path =
          "/metrics/query"
              + query
              + (Boolean.TRUE.equals(e.getArgument("groupByDevice")) ? "&groupBy=device" : "");
    }
    DataFetcherResult<Object> result = rest(e, "GET", path, null, null);
    if (result.getData() instanceof Map<?, ?> body
        && body.get("series") instanceof List<?> series) {
      for (Object one : series) {
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) one;
        Object tags = s.get("tags");
        s.put(
            "deviceId",
            tags instanceof Map<?, ?> t && t.get("device") != null ? t.get("device") : deviceId);
      }
    }
    return result;
  }

  private static String param(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  // ----- mutations: through the REST routes -----------------------------------------------------

  private DataFetcherResult<Object> updateDevice(DataFetchingEnvironment e) {
    return rest(
        e,
        "PATCH",
        "/devices/" + path(e.getArgument("deviceId")),
        e.getArgument("patch"),
        Device.class);
  }

  private DataFetcherResult<Object> controlDevice(DataFetchingEnvironment e) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", e.getArgument("name"));
    body.put("params", e.getArgument("params"));
    body.put("ttlSeconds", e.getArgument("ttlSeconds"));
    return rest(e, "POST", "/devices/" + path(e.getArgument("deviceId")) + "/commands", body, null);
  }

  private DataFetcherResult<Object> updateShadow(DataFetchingEnvironment e) {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("desired", e.getArgument("desired"));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("state", state);
    body.put("version", e.getArgument("version"));
    body.put("clientToken", e.getArgument("clientToken"));
    return rest(e, "POST", "/devices/" + path(e.getArgument("deviceId")) + "/shadow", body, null);
  }

  private DataFetcherResult<Object> ackAlert(DataFetchingEnvironment e) {
    Role role = e.getGraphQlContext().get(ROLE);
    if (!role.includes(Role.OPERATOR)) {
      return failure(e, 403, "forbidden", "ackAlert needs the role operator or above");
    }
    String id = e.getArgument("alertId");
    Alert alert = alerts.get(id);
    if (alert == null) {
      return failure(e, 404, "unknown_alert", "no alert '" + id + "'");
    }
    AlertAction action =
        new AlertAction(
            alert.getAlertId(),
            alert.getDeviceId(),
            AlertActionType.ACK,
            null,
            System.currentTimeMillis(),
            "graphql");
    try {
      writer.write(actionsTopic, alert.getDeviceId(), ModelJson.toBytes(action));
    } catch (Problem p) {
      return failure(e, p.status(), p.code(), p.getMessage());
    }
    return DataFetcherResult.newResult().data(action).build();
  }

  private DataFetcherResult<Object> rest(
      DataFetchingEnvironment e, String method, String path, Object body, Class<?> type) {
    String key = e.getGraphQlContext().get(KEY);
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + port.getAsInt() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + key);
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(ModelJson.toBytes(body)));
    }
    HttpRequest request = builder.build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException ex) {
      return failure(e, 503, "unavailable", ex.toString());
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return failure(e, 503, "interrupted", "interrupted");
    }
    JsonNode json;
    try {
      json = ModelJson.mapper().readTree(response.body());
    } catch (IOException ex) {
      return failure(e, 500, "internal_error", "unreadable answer");
    }
    if (response.statusCode() >= 300) {
      return DataFetcherResult.newResult()
          .error(
              GraphqlErrorBuilder.newError(e)
                  .message(json.path("detail").asText("request refused"))
                  .extensions(ModelJson.mapper().convertValue(json, EXTENSIONS))
                  .build())
          .build();
    }
    Object data =
        type == null
            ? ModelJson.mapper().convertValue(json, Map.class)
            : ModelJson.mapper().convertValue(json, type);
    return DataFetcherResult.newResult().data(data).build();
  }

  private static DataFetcherResult<Object> failure(
      DataFetchingEnvironment e, int status, String code, String detail) {
    Map<String, Object> ext = new LinkedHashMap<>();
    ext.put("status", status);
    ext.put("code", code);
    return DataFetcherResult.newResult()
        .error(GraphqlErrorBuilder.newError(e).message(detail).extensions(ext).build())
        .build();
  }

  private static String path(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  static byte[] resource(String name) {
    try (InputStream in = GraphQlApi.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  /** The role the key in the context has (for subscriptions). */
  static GraphQLContext context(String key, Role role) {
    return GraphQLContext.of(Map.of(KEY, key, ROLE, role));
  }
}
