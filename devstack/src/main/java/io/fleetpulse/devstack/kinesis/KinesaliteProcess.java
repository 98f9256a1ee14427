package io.fleetpulse.devstack.kinesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.FreePorts;
import io.fleetpulse.devstack.ServerProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kinesis API server — kinesalite from npm, in memory — in its own node process on a free
 * loopback port. {@code ./fleetpulse test} installs kinesalite into {@link #installDir()}; nothing
 * is fetched at test time.
 */
public final class KinesaliteProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KinesaliteProcess.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  /** The region the streams' ARNs name. */
  public static final String REGION = "us-east-1";

  private final Path dataDir;
  private final int port;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final Thread killOnExit = new Thread(this::kill, "kinesalite-kill-on-exit");
  private Process process;

  private KinesaliteProcess(Path dataDir, int port) {
    this.dataDir = dataDir;
    this.port = port;
  }

  /**
   * Where kinesalite is installed: {@code fleetpulse.kinesalite.dir}, {@code
   * FLEETPULSE_KINESALITE_DIR}, or {@code ~/.cache/fleetpulse/kinesalite} (with its {@code
   * node_modules/} inside).
   */
  public static Path installDir() {
    String dir = System.getProperty("fleetpulse.kinesalite.dir");
    if (dir == null) {
      dir = System.getenv("FLEETPULSE_KINESALITE_DIR");
    }
    if (dir == null) {
      dir =
          Paths.get(System.getProperty("user.home"), ".cache", "fleetpulse", "kinesalite")
              .toString();
    }
    return Paths.get(dir);
  }

  /** Starts kinesalite; returns when it answers. */
  public static KinesaliteProcess start() {
    Path modules = installDir().resolve("node_modules");
    if (!Files.isDirectory(modules.resolve("kinesalite"))) {
      throw new IllegalStateException(
          "kinesalite is not installed in "
              + modules
              + ": run ./fleetpulse test (it runs npm install kinesalite there) or"
              + " npm install --prefix "
              + installDir()
              + " kinesalite@3.3.3");
    }
    KinesaliteProcess k = new KinesaliteProcess(BuildDirs.fresh("kinesalite"), FreePorts.pick());
    Runtime.getRuntime().addShutdownHook(k.killOnExit);
    k.launch(modules);
    return k;
  }

  private void launch(Path modules) {
    long began = System.nanoTime();
    try {
      Path script = dataDir.resolve("kinesalite-server.js");
      try (InputStream in = getClass().getResourceAsStream("kinesalite-server.js")) {
        Files.write(script, in.readAllBytes());
      }
      ProcessBuilder builder =
          new ProcessBuilder("node", script.toString(), String.valueOf(port))
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(dataDir.resolve("kinesalite.log").toFile()));
      builder.environment().put("NODE_PATH", modules.toString());
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node for kinesalite", e);
    }
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("kinesalite exited at start: " + log());
      }
      try {
        call("ListStreams", JSON.createObjectNode());
        break;
      } catch (RuntimeException notYet) {
        if (System.nanoTime() > deadline) {
          kill();
          throw new IllegalStateException("kinesalite did not answer: " + log(), notYet);
        }
      }
      sleep(50);
    }
    LOG.info("kinesalite up at {} in {} ms", endpoint(), (System.nanoTime() - began) / 1_000_000);
  }

  /** The endpoint, e.g. {@code http://127.0.0.1:41234}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Creates {@code stream} with {@code shards} shards; returns its ARN once it is ACTIVE. */
  public String createStream(String stream, int shards) {
    ObjectNode create = JSON.createObjectNode().put("StreamName", stream).put("ShardCount", shards);
    call("CreateStream", create);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode d =
          call("DescribeStreamSummary", JSON.createObjectNode().put("StreamName", stream))
              .path("StreamDescriptionSummary");
      if ("ACTIVE".equals(d.path("StreamStatus").asText())) {
        return d.path("StreamARN").asText();
      }
      sleep(20);
    }
    throw new IllegalStateException("stream " + stream + " did not become ACTIVE");
  }

  /** One record to put: its partition key and data bytes. */
  public record Put(String partitionKey, byte[] data) {}

  /**
   * Puts {@code records} in order, in batches of at most 500 (the PutRecords limit); fails on any
   * record the server refused.
   */
  public void putRecords(String stream, List<Put> records) {
    for (int from = 0; from < records.size(); from += 500) {
      ObjectNode request = JSON.createObjectNode().put("StreamName", stream);
      ArrayNode batch = request.putArray("Records");
      for (Put p : records.subList(from, Math.min(records.size(), from + 500))) {
        batch
            .addObject()
            .put("PartitionKey", p.partitionKey())
            .put("Data", Base64.getEncoder().encodeToString(p.data()));
      }
      JsonNode response = call("PutRecords", request);
      if (response.path("FailedRecordCount").asInt() != 0) {
        throw new IllegalStateException("kinesalite refused records: " + response);
      }
    }
  }

  /** Calls one Kinesis API action with a JSON body; kinesalite checks that a signature is there. */
  public JsonNode call(String action, JsonNode body) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(endpoint() + "/"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-amz-json-1.1")
            .header("X-Amz-Target", "Kinesis_20131202." + action)
            .header("X-Amz-Date", "20260101T000000Z")
            .header(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=test/20260101/"
                    + REGION
                    + "/kinesis/aws4_request, SignedHeaders=host;x-amz-date,"
                    + " Signature=0000")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            action + " answered " + response.statusCode() + ": " + response.body());
      }
      return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(action + " failed at " + endpoint(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    if (process != null) {
      ServerProcesses.stop(process);
      process = null;
    }
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

  private String log() {
    try {
      return Files.readString(dataDir.resolve("kinesalite.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
