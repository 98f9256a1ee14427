package io.fleetpulse.connectors.influxdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.devstack.FreePorts;
import io.questdb.PropertyKey;
import io.questdb.ServerMain;
import io.questdb.log.LogFactory;
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
import java.util.HashMap;
import java.util.Map;

/**
 * A real QuestDB server inside this JVM, for the InfluxDB v2 write API ({@code /api/v2/write}) it
 * implements. Test-only: its 30 MB jar stays out of devstack, which the demo ships.
 */
final class QuestDbServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerMain server;
  private final int httpPort;
  private final HttpClient http = HttpClient.newHttpClient();

  private QuestDbServer(ServerMain server, int httpPort) {
    this.server = server;
    this.httpPort = httpPort;
  }

  /** Starts QuestDB with its data under {@code root}, HTTP on a free port, everything else off. */
  static QuestDbServer start(Path root) {
    int httpPort = FreePorts.pick();
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put(key(PropertyKey.HTTP_BIND_TO), "127.0.0.1:" + httpPort);
    env.put(key(PropertyKey.HTTP_MIN_ENABLED), "false");
    env.put(key(PropertyKey.PG_ENABLED), "false");
    env.put(key(PropertyKey.LINE_TCP_ENABLED), "false");
    env.put(key(PropertyKey.LINE_UDP_ENABLED), "false");
    env.put(key(PropertyKey.TELEMETRY_ENABLED), "false");
    env.put(key(PropertyKey.METRICS_ENABLED), "false");
    env.put(key(PropertyKey.SHARED_WORKER_COUNT), "2");
    writeLogConfig(root);
    ServerMain server = ServerMain.create(root.toString(), env);
    try {
      server.start();
      server.awaitStartup();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return new QuestDbServer(server, httpPort);
  }

  String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** Waits until {@code table} exists and its last write is applied. */
  void awaitTable(String table) {
    server.awaitTable(table);
  }

  /** Runs one SQL query; the result's {@code dataset} rows. */
  JsonNode query(String sql) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        url() + "/exec?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode result = JSON.readTree(response.body());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("QuestDB: " + response.body());
    }
    return result.path("dataset");
  }

  @Override
  public void close() {
    server.close();
  }

  // QuestDB logs to the process's stdout, which corrupts Surefire's channel: log errors to a file.
  private static void writeLogConfig(Path root) {
    try {
      Path conf = Files.createDirectories(root.resolve("conf"));
      Files.writeString(
          conf.resolve("log.conf"),
          String.join(
              "\n",
              "writers=file",
              "w.file.class=io.questdb.log.LogFileWriter",
              "w.file.location=" + root.resolve("questdb.log"),
              "w.file.level=ERROR,CRITICAL",
              ""));
      System.setProperty(LogFactory.CONFIG_SYSTEM_PROPERTY, conf.resolve("log.conf").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String key(PropertyKey key) {
    return ServerMain.propertyPathToEnvVarName(key.getPropertyPath());
  }
}
