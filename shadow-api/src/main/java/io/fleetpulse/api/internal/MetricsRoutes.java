package io.fleetpulse.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.model.ModelJson;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
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
import java.util.regex.Pattern;

/**
 * Time series over InfluxDB's InfluxQL {@code /query} (served by InfluxDB 1.x, by 2.x's v1
 * compatibility and by 3.x), from the {@code telemetry_agg} measurement the TelemetryJob writes
 * (tags {@code device}, {@code metric}; fields {@code count, min, max, avg, last}). Every parameter
 * is validated against a strict pattern and string literals are escaped as well, so no request text
 * reaches the query unchecked.
 */
public final class MetricsRoutes {

  /** The measurement of window aggregates (jobs' {@code TelemetryPoints.AGGREGATE_MEASUREMENT}). */
  public static final String MEASUREMENT = "telemetry_agg";

  private static final Pattern METRIC = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern EVERY = Pattern.compile("[1-9][0-9]{0,5}(s|m|h|d)");
  private static final long MAX_POINTS = 10_000;

  private final String url;
  private final String database;
  private final String authorization;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * @param url InfluxDB's base URL, or null when none is configured (the routes then answer 503)
   */
  public MetricsRoutes(String url, String database, String user, String password, String token) {
    this.url = url == null ? null : url.replaceAll("/+$", "");
    this.database = database;
    if (token != null) {
      authorization = "Token " + token;
    } else if (user != null) {
      authorization =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(
                      (user + ":" + (password == null ? "" : password))
                          .getBytes(StandardCharsets.UTF_8));
    } else {
      authorization = null;
    }
  }

  /** The metrics routes. */
  public List<ApiRoutes.Route> routes() {
    return List.of(
        new ApiRoutes.Route(
            HandlerType.GET, "/devices/{deviceId}/metrics", Role.READER, this::deviceMetrics),
        new ApiRoutes.Route(HandlerType.GET, "/metrics/query", Role.READER, this::fleetMetrics));
  }

  /** Whether InfluxDB answers its {@code /ping}; null when none is configured. */
  public Boolean reachable() {
    if (url == null) {
      return null;
    }
    try {
      HttpResponse<Void> r =
          http.send(
              request(URI.create(url + "/ping")).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() / 100 == 2;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  void deviceMetrics(Context ctx) {
    String device = ApiRoutes.deviceId(ctx);
    query(ctx, device, false);
  }

  void fleetMetrics(Context ctx) {
    String device = ctx.queryParam("deviceId");
    if (device != null && io.fleetpulse.model.DeviceIds.problem(device) != null) {
      throw Problem.badField(
          "deviceId", "invalid_device_id", io.fleetpulse.model.DeviceIds.problem(device));
    }
    String groupBy = ctx.queryParam("groupBy");
    if (groupBy != null && !groupBy.isEmpty() && !groupBy.equals("device")) {
      throw Problem.badField("groupBy", "invalid_value", "groupBy is device (or absent)");
    }
    query(ctx, device, "device".equals(groupBy));
  }

  private void query(Context ctx, String device, boolean byDevice) {
    String metric = ctx.queryParam("metric");
    if (metric == null || !METRIC.matcher(metric).matches()) {
      throw Problem.badField(
          "metric", "invalid_metric", "metric is required: 1 to 64 of A-Z a-z 0-9 . _ : -");
    }
    long now = System.currentTimeMillis();
    Long toParam = Bodies.millisParam(ctx, "to");
    long to = toParam == null ? now : toParam;
    Long fromParam = Bodies.millisParam(ctx, "from");
    long from = fromParam == null ? to - 3_600_000 : fromParam;
    if (from >= to) {
      throw Problem.badField("from", "empty_range", "from must be before to");
    }
    String every = ctx.queryParam("every");
    if (every != null && !every.isEmpty()) {
      if (!EVERY.matcher(every).matches()) {
        throw Problem.badField(
            "every", "invalid_every", "every is a duration like 30s, 5m, 1h or 1d");
      }
      if ((to - from) / millis(every) > MAX_POINTS) {
        throw Problem.badField(
            "every", "too_many_points", "from..to / every gives more than " + MAX_POINTS);
      }
    } else {
      every = null;
    }
    if (url == null) {
      throw new Problem(
          503, "influxdb_not_configured", null, "set influx.url to serve time series");
    }
    StringBuilder q = new StringBuilder("SELECT ");
    q.append(
        every == null
            ? "\"count\", \"min\", \"max\", \"avg\", \"last\""
            : "sum(\"count\") AS \"count\", min(\"min\") AS \"min\", max(\"max\") AS \"max\","
                + " mean(\"avg\") AS \"avg\", last(\"last\") AS \"last\"");
    q.append(" FROM \"")
        .append(MEASUREMENT)
        .append("\" WHERE \"metric\" = ")
        .append(literal(metric));
    if (device != null) {
      q.append(" AND \"device\" = ").append(literal(device));
    }
    q.append(" AND time >= ").append(from).append("ms AND time < ").append(to).append("ms");
    List<String> groups = new ArrayList<>();
    if (every != null) {
      groups.add("time(" + every + ")");
    }
    if (byDevice || (device == null && every == null)) {
      groups.add("\"device\"");
    }
    if (!groups.isEmpty()) {
      q.append(" GROUP BY ").append(String.join(", ", groups));
    }
    if (every != null) {
      q.append(" fill(none)");
    }
    q.append(" LIMIT ").append(MAX_POINTS);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("metric", metric);
    if (device != null) {
      body.put("deviceId", device);
    }
    body.put("from", from);
    body.put("to", to);
    if (every != null) {
      body.put("every", every);
    }
    body.put("series", run(q.toString()));
    ctx.json(body);
  }

  private List<Map<String, Object>> run(String influxQl) {
    URI uri =
        URI.create(
            url
                + "/query?epoch=ms&db="
                + URLEncoder.encode(database, StandardCharsets.UTF_8)
                + "&q="
                + URLEncoder.encode(influxQl, StandardCharsets.UTF_8));
    HttpResponse<byte[]> r;
    try {
      r =
          http.send(
              request(uri).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new Problem(503, "influxdb_unavailable", null, "InfluxDB did not answer: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Problem(503, "interrupted", null, "interrupted while querying InfluxDB");
    }
    JsonNode tree;
    try {
      tree = ModelJson.mapper().readTree(r.body());
    } catch (IOException e) {
      throw new Problem(502, "influxdb_error", null, "InfluxDB answered " + r.statusCode());
    }
    JsonNode result = tree == null ? null : tree.path("results").path(0);
    String error =
        tree == null ? null : tree.path("error").asText(result.path("error").asText(null));
    if (r.statusCode() / 100 != 2 || error != null) {
      throw new Problem(
          502, "influxdb_error", null, "InfluxDB answered " + r.statusCode() + ": " + error);
    }
    List<Map<String, Object>> series = new ArrayList<>();
    for (JsonNode s : result.path("series")) {
      List<String> columns = new ArrayList<>();
      s.path("columns").forEach(c -> columns.add(c.asText()));
      List<Map<String, Object>> points = new ArrayList<>();
      for (JsonNode row : s.path("values")) {
        Map<String, Object> point = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
          point.put(columns.get(i), ModelJson.mapper().convertValue(row.get(i), Object.class));
        }
        points.add(point);
      }
      Map<String, Object> one = new LinkedHashMap<>();
      if (s.has("tags")) {
        one.put("tags", ModelJson.mapper().convertValue(s.get("tags"), Map.class));
      }
      one.put("points", points);
      series.add(one);
    }
    return series;
  }

  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b;
  }

  /** An InfluxQL string literal; the patterns already exclude quotes, this is the second guard. */
  static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static long millis(String every) {
    long n = Long.parseLong(every.substring(0, every.length() - 1));
    switch (every.charAt(every.length() - 1)) {
      case 's':
        return n * 1000;
      case 'm':
        return n * 60_000;
      case 'h':
        return n * 3_600_000;
      default:
        return n * 86_400_000;
    }
  }
}
