package io.fleetpulse.devstack.influxdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.devstack.FreePorts;
import io.fleetpulse.devstack.ServerProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real InfluxDB 1.x server ({@code influxd}) in its own process, on free loopback ports, with its
 * data under a given folder.
 *
 * <p>It can be stopped and started again on the same port and data, so tests can take InfluxDB away
 * from a running pipeline and bring it back. The process is killed on {@link #close()} and, as a
 * last resort, when the JVM exits.
 */
public final class InfluxDbProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(InfluxDbProcess.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final Path influxd;
  private final int httpPort;
  private final int rpcPort;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Thread killOnExit = new Thread(this::kill, "influxd-kill-on-exit");
  private Process process;

  private InfluxDbProcess(Path dataDir, Path influxd, int httpPort, int rpcPort) {
    this.dataDir = dataDir;
    this.influxd = influxd;
    this.httpPort = httpPort;
    this.rpcPort = rpcPort;
  }

  /** Starts {@code influxd} (from the PATH or /usr/bin) with its data under {@code dataDir}. */
  public static InfluxDbProcess start(Path dataDir) {
    InfluxDbProcess influx =
        new InfluxDbProcess(dataDir, findInfluxd(), FreePorts.pick(), FreePorts.pick());
    Runtime.getRuntime().addShutdownHook(influx.killOnExit);
    influx.start();
    return influx;
  }

  /** Starts the server (again), keeping its ports and its data; returns when it answers /ping. */
  public synchronized void start() {
    if (process != null && process.isAlive()) {
      return;
    }
    long began = System.nanoTime();
    try {
      Path config = writeConfig();
      process =
          new ProcessBuilder(influxd.toString(), "-config", config.toString())
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(dataDir.resolve("influxd.log").toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + influxd, e);
    }
    awaitPing();
    LOG.info("InfluxDB up at {} in {} ms", url(), (System.nanoTime() - began) / 1_000_000);
  }

  /** Stops the server (SIGTERM, then kill after 10 s); {@link #start()} brings it back. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    ServerProcesses.stop(process);
    process = null;
    LOG.info("InfluxDB at {} stopped", url());
  }

  /** Whether the server process runs. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Base URL of the HTTP API, e.g. {@code http://127.0.0.1:41234}. */
  public String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  public int httpPort() {
    return httpPort;
  }

  /** Creates {@code database} if it does not exist. */
  public void createDatabase(String database) {
    post("/query", "q=" + encode("CREATE DATABASE \"" + database.replace("\"", "\\\"") + "\""));
  }

  /** Drops {@code database} and everything in it. */
  public void dropDatabase(String database) {
    post("/query", "q=" + encode("DROP DATABASE \"" + database.replace("\"", "\\\"") + "\""));
  }

  /**
   * Runs one InfluxQL statement against {@code database}; each row maps the series' tags (when
   * grouped by tags) and the columns to values: times as epoch milliseconds, numbers as InfluxDB's
   * JSON has them (a float field holding 2.0 comes back as the integer 2, so a {@code Long}).
   */
  public List<Map<String, Object>> query(String database, String influxQl) {
    String uri = url() + "/query?epoch=ms&db=" + encode(database) + "&q=" + encode(influxQl);
    JsonNode result = send(HttpRequest.newBuilder(URI.create(uri)).GET().build()).path("results");
    List<Map<String, Object>> rows = new ArrayList<>();
    for (JsonNode statement : result) {
      if (statement.has("error")) {
        throw new IllegalArgumentException(
            "InfluxQL failed: " + statement.get("error").asText() + " -- " + influxQl);
      }
      for (JsonNode series : statement.path("series")) {
        for (JsonNode values : series.path("values")) {
          Map<String, Object> row = new LinkedHashMap<>();
          Iterator<Map.Entry<String, JsonNode>> tags = series.path("tags").fields();
          while (tags.hasNext()) {
            Map.Entry<String, JsonNode> tag = tags.next();
            row.put(tag.getKey(), tag.getValue().asText());
          }
          JsonNode columns = series.path("columns");
          for (int i = 0; i < columns.size(); i++) {
            row.put(columns.get(i).asText(), value(values.get(i)));
          }
          rows.add(row);
        }
      }
    }
    return rows;
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException alreadyExiting) {
      // the hook runs anyway
    }
  }

  private synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  private Path writeConfig() throws IOException {
    Files.createDirectories(dataDir);
    String dir = dataDir.toAbsolutePath().toString();
    String config =
        String.join(
            "\n",
            "reporting-disabled = true",
            "bind-address = \"127.0.0.1:" + rpcPort + "\"",
            "[meta]",
            "  dir = \"" + dir + "/meta\"",
            "[data]",
            "  dir = \"" + dir + "/data\"",
            "  wal-dir = \"" + dir + "/wal\"",
            "  query-log-enabled = false",
            "[http]",
            "  enabled = true",
            "  bind-address = \"127.0.0.1:" + httpPort + "\"",
            "  log-enabled = false",
            "[monitor]",
            "  store-enabled = false",
            "[continuous_queries]",
            "  enabled = false",
            "[logging]",
            "  level = \"warn\"",
            "");
    Path file = dataDir.resolve("influxdb.conf");
    Files.writeString(file, config);
    return file;
  }

  private void awaitPing() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    HttpRequest ping =
        HttpRequest.newBuilder(URI.create(url() + "/ping")).timeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("influxd exited at start: " + logTail());
      }
      try {
        if (http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 204) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for influxd", e);
      }
      sleep(100);
    }
    kill();
    throw new IllegalStateException(
        "influxd did not answer /ping within " + START_TIMEOUT + ": " + logTail());
  }

  private void post(String path, String form) {
    send(
        HttpRequest.newBuilder(URI.create(url() + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build());
  }

  private JsonNode send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            "InfluxDB answered " + response.statusCode() + ": " + response.body());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("InfluxDB request failed: " + request.uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static Object value(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("influxd.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static Path findInfluxd() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Paths.get(dir, "influxd");
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    Path debian = Paths.get("/usr/bin/influxd");
    if (Files.isExecutable(debian)) {
      return debian;
    }
    throw new IllegalStateException(
        "influxd not found: install Debian's influxdb package (./fleetpulse test does)");
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
