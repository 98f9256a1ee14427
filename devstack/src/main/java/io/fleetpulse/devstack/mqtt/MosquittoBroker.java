package io.fleetpulse.devstack.mqtt;

import io.fleetpulse.devstack.FreePorts;
import io.fleetpulse.devstack.ServerProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Mosquitto broker process (the apt package) with its own config on a free loopback port and
 * its files under a build folder.
 *
 * <p>A deep queue and a wide in-flight window (measured on this project's machines), without which
 * QoS 1 throughput collapses or queued messages are dropped. With {@link TestCertificates} it
 * listens with mutual TLS and the per-device ACL of the design ({@code pattern readwrite
 * devices/%u/#}).
 */
public final class MosquittoBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MosquittoBroker.class);

  /** The user that may read and write every device topic over TLS, as the bridge does. */
  public static final String BRIDGE_IDENTITY = "fleetpulse-bridge";

  private final Path dir;
  private final int port;
  private final TestCertificates tls;
  private final List<String> extraConfig;
  private final IntFunction<String> fullConfig;

  /**
   * Kills the broker when the JVM exits without {@link #close()}. Registered before the process
   * starts: a hook added after it could fail once the JVM is shutting down (a SIGTERM during the
   * start) and leave the broker running with no one to stop it.
   */
  private final Thread killOnExit = new Thread(this::kill, "kill-mosquitto");

  private boolean hooked;
  private volatile Process process;

  private MosquittoBroker(
      Path dir,
      int port,
      TestCertificates tls,
      List<String> extraConfig,
      IntFunction<String> fullConfig) {
    this.dir = dir;
    this.port = port;
    this.tls = tls;
    this.extraConfig = List.copyOf(extraConfig);
    this.fullConfig = fullConfig;
  }

  /** Starts a plain (no TLS, anonymous) broker with its files under {@code dir}. */
  public static MosquittoBroker start(Path dir) {
    return start(dir, null);
  }

  /**
   * Starts a broker with its files under {@code dir}; with {@code tls} it requires client
   * certificates signed by its CA and uses the certificate's common name as the user name.
   */
  public static MosquittoBroker start(Path dir, TestCertificates tls) {
    return start(dir, tls, List.of());
  }

  /**
   * Starts a broker whose config ends with {@code extraConfig} (later lines win, e.g. {@code
   * max_queued_messages 5} or {@code sys_interval 1}); see {@link #persistence(Path)}.
   */
  public static MosquittoBroker start(Path dir, TestCertificates tls, List<String> extraConfig) {
    MosquittoBroker broker = new MosquittoBroker(dir, FreePorts.pick(), tls, extraConfig, null);
    broker.start();
    return broker;
  }

  /**
   * Starts a broker with a config of the caller's own (e.g. a shipped example with its paths
   * replaced), made from the free port it must listen on; {@code tls} are the certificates it uses,
   * for clients of {@link MqttTestClients}.
   */
  public static MosquittoBroker startWithConfig(
      Path dir, TestCertificates tls, IntFunction<String> config) {
    MosquittoBroker broker = new MosquittoBroker(dir, FreePorts.pick(), tls, List.of(), config);
    broker.start();
    return broker;
  }

  /**
   * Config lines that keep sessions and queued messages across a {@link #stop()} and {@link
   * #start()} (Mosquitto writes its database on SIGTERM).
   */
  public static List<String> persistence(Path dir) {
    return List.of("persistence true", "persistence_location " + dir + "/");
  }

  /** The broker's binary: {@code FLEETPULSE_MOSQUITTO}, else the apt location, else the PATH. */
  public static String binary() {
    String fromEnv = System.getenv("FLEETPULSE_MOSQUITTO");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    for (String candidate : List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return "mosquitto";
  }

  /** Starts the broker (again) on the same port; a running broker is left alone. */
  public synchronized void start() {
    if (process != null && process.isAlive()) {
      return;
    }
    try {
      Files.createDirectories(dir);
      Path config = dir.resolve("mosquitto.conf");
      Files.writeString(
          config, fullConfig != null ? fullConfig.apply(port) : config(), StandardCharsets.UTF_8);
      if (tls != null && fullConfig == null) {
        Files.writeString(dir.resolve("acl"), acl(), StandardCharsets.UTF_8);
      }
      ProcessBuilder builder = new ProcessBuilder(binary(), "-c", config.toString());
      builder.redirectErrorStream(true);
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()));
      if (!hooked) {
        // Throws IllegalStateException when the JVM is already exiting: then nothing starts.
        Runtime.getRuntime().addShutdownHook(killOnExit);
        hooked = true;
      }
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start mosquitto (" + binary() + "); install it with apt-get install mosquitto",
          e);
    }
    try {
      awaitListening();
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
    LOG.info("Mosquitto up on 127.0.0.1:{}{}", port, tls == null ? "" : " (mTLS)");
  }

  /** Stops the broker; {@link #start()} brings it back on the same port. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    ServerProcesses.stop(process);
    process = null;
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  /** The certificates the broker trusts and serves, or {@code null} for a plain broker. */
  public TestCertificates tls() {
    return tls;
  }

  /** The broker's log, for failure messages. */
  public String log() {
    try {
      Path log = dir.resolve("mosquitto.log");
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    stop();
    synchronized (this) {
      if (hooked) {
        try {
          Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException alreadyExiting) {
          // the hook runs anyway, and finds nothing to kill
        }
        hooked = false;
      }
    }
  }

  /** The shutdown hook's stop: not synchronized, so a start in progress cannot hold it up. */
  private void kill() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
    }
  }

  private String config() {
    List<String> lines = new ArrayList<>();
    // As root, Mosquitto would switch to user "mosquitto", which cannot read the build folder.
    lines.add("user " + System.getProperty("user.name"));
    lines.add("listener " + port + " 127.0.0.1");
    lines.add("persistence false");
    lines.add("log_dest file " + dir.resolve("mosquitto.log"));
    lines.add("log_type error");
    lines.add("log_type warning");
    lines.add("log_type notice");
    // A wide window: a subscriber that acknowledges only after its own downstream write (the
    // bridge) is limited to window / latency messages per second.
    lines.add("max_inflight_messages 10000");
    lines.add("max_queued_messages 100000");
    lines.add("max_queued_bytes 0");
    if (tls == null) {
      lines.add("allow_anonymous true");
    } else {
      lines.add("allow_anonymous false");
      lines.add("cafile " + tls.caCertificate());
      lines.add("certfile " + tls.serverCertificate());
      lines.add("keyfile " + tls.serverKey());
      lines.add("require_certificate true");
      lines.add("use_identity_as_username true");
      lines.add("acl_file " + dir.resolve("acl"));
    }
    lines.addAll(extraConfig);
    return String.join("\n", lines) + "\n";
  }

  private static String acl() {
    return "user "
        + BRIDGE_IDENTITY
        + "\ntopic readwrite devices/#\n\npattern readwrite devices/%u/#\n";
  }

  private void awaitListening() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "mosquitto exited with " + process.exitValue() + ":\n" + log() + stdout());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host(), port), 200);
        return;
      } catch (IOException notYet) {
        sleep(20);
      }
    }
    stop();
    throw new IllegalStateException("mosquitto did not listen on " + port + " within 15 s");
  }

  private String stdout() {
    try {
      return Files.readString(dir.resolve("stdout.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
