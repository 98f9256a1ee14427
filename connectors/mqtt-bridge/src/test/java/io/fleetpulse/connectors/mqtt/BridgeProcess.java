package io.fleetpulse.connectors.mqtt;

import io.fleetpulse.devstack.BuildDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** The bridge as its own operating-system process, started from a config file, as in production. */
final class BridgeProcess implements AutoCloseable {

  private final Process process;
  private final Path log;

  private BridgeProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Runs {@link MqttBridgeMain} from the test class path. */
  static BridgeProcess fromClassPath(Map<String, String> settings) {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return start(List.of("-cp", classPath, MqttBridgeMain.class.getName()), settings);
  }

  /** Runs the packaged service: {@code java -jar JAR --config FILE}. */
  static BridgeProcess fromJar(Path jar, Map<String, String> settings) {
    return start(List.of("-jar", jar.toString()), settings);
  }

  private static BridgeProcess start(List<String> launch, Map<String, String> settings) {
    Path dir = BuildDirs.fresh("bridge-process");
    Path config = dir.resolve("bridge.properties");
    Path log = dir.resolve("bridge.log");
    Properties properties = new Properties();
    properties.putAll(settings);
    try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
      properties.store(out, "written by " + BridgeProcess.class.getSimpleName());
      List<String> command = new ArrayList<>();
      command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx256m");
      command.addAll(launch);
      command.add("--config");
      command.add(config.toString());
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      return new BridgeProcess(process, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Ends the process at once (SIGKILL): no draining, no goodbye to the broker. */
  void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /** Asks the process to shut down gracefully (SIGTERM) and waits for it. */
  void stop() {
    process.destroy();
    waitFor();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      waitFor();
    }
  }

  private void waitFor() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
