package io.fleetpulse.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.devstack.FreePorts;
import io.fleetpulse.model.ModelJson;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A Flink session cluster as the distribution's scripts start one — a JobManager and TaskManagers,
 * each its own JVM on loopback — from the Flink jars of this test's classpath (no distribution
 * tarball is served here): the JVM flags come from {@code BashJavaUtils}, as {@code jobmanager.sh}
 * and {@code taskmanager.sh} get them.
 */
final class StandaloneFlinkCluster implements AutoCloseable {

  /** The Java 17 module flags of the distribution's {@code env.java.opts.all}. */
  private static final List<String> JAVA_17_OPENS =
      List.of(
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Path dir;
  private final Path conf;
  private final String classpath;
  private final int restPort;
  private final Process jobManager;
  private final List<Process> taskManagers = new ArrayList<>();

  /** Starts the JobManager with {@code slots} slots per TaskManager; returns when REST answers. */
  StandaloneFlinkCluster(Path dir, int slots) throws Exception {
    this.dir = dir;
    this.conf = Files.createDirectories(dir.resolve("conf"));
    String cp = System.getProperty("surefire.test.class.path");
    this.classpath = clusterClasspath(cp != null ? cp : System.getProperty("java.class.path"));
    this.restPort = FreePorts.pick();
    Files.writeString(
        conf.resolve("config.yaml"),
        String.join(
            "\n",
            "jobmanager.rpc.address: 127.0.0.1",
            "jobmanager.rpc.port: " + FreePorts.pick(),
            "jobmanager.bind-host: 127.0.0.1",
            "jobmanager.memory.process.size: 1024m",
            "taskmanager.host: 127.0.0.1",
            "taskmanager.bind-host: 127.0.0.1",
            "taskmanager.memory.process.size: 1536m",
            "taskmanager.numberOfTaskSlots: " + slots,
            "rest.address: 127.0.0.1",
            "rest.bind-address: 127.0.0.1",
            "rest.port: " + restPort,
            "io.tmp.dirs: " + Files.createDirectories(dir.resolve("tmp")),
            "web.upload.dir: " + Files.createDirectories(dir.resolve("upload")),
            // A lost TaskManager is noticed within seconds, and the jobs retry until a new one
            // comes (each attempt without one uses one try).
            "heartbeat.interval: 1000",
            "heartbeat.timeout: 10000",
            "restart-strategy.type: fixed-delay",
            "restart-strategy.fixed-delay.attempts: 100",
            "restart-strategy.fixed-delay.delay: 1 s",
            ""),
        UTF_8);
    // The TaskManager's readiness is read from its log: the folder must have a log4j config.
    Files.writeString(
        conf.resolve("log4j.properties"),
        String.join(
            "\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = MainAppender",
            "appender.main.name = MainAppender",
            "appender.main.type = File",
            "appender.main.fileName = ${sys:log.file}",
            "appender.main.layout.type = PatternLayout",
            "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
            ""),
        UTF_8);
    jobManager =
        start(
            "jobmanager",
            "GET_JM_RESOURCE_PARAMS",
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
    // Even a test JVM that dies leaves no Flink process behind.
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "stop-flink-cluster"));
    try {
      awaitRest();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * The test's classpath without the SQL rules tool: it renders the rules on the client side (as
   * the deployment's image does at build time); a cluster has only Flink's own jars (the table
   * planner and runtime, JSON, RocksDB are in a distribution's {@code lib/}).
   */
  private static String clusterClasspath(String testClasspath) {
    List<String> entries = new ArrayList<>();
    for (String entry : testClasspath.split(File.pathSeparator)) {
      String name = entry.replace(File.separatorChar, '/');
      if (!name.contains("/fleetpulse-sql-") && !name.endsWith("/sql/target/classes")) {
        entries.add(entry);
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private void awaitRest() {
    await(
        "the JobManager's REST API",
        Duration.ofSeconds(60),
        () -> {
          try {
            return get("/config") != null;
          } catch (Exception notYet) {
            return false;
          }
        });
  }

  /** Starts one more TaskManager JVM; returns when the JobManager lists it. */
  void startTaskManager() throws Exception {
    Set<String> before = taskManagerIds();
    taskManagers.add(
        start(
            "taskmanager-" + taskManagers.size(),
            "GET_TM_RESOURCE_PARAMS",
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"));
    await(
        "a new TaskManager to register",
        Duration.ofSeconds(90),
        () -> {
          Set<String> now = taskManagerIds();
          now.removeAll(before);
          return !now.isEmpty();
        });
  }

  /** Kills the newest TaskManager as a crash does ({@code kill -9}: no shutdown of any kind). */
  void killTaskManager() throws InterruptedException {
    Process tm = taskManagers.get(taskManagers.size() - 1);
    tm.destroyForcibly();
    tm.waitFor(30, TimeUnit.SECONDS);
  }

  /** Ids of the TaskManagers the JobManager knows (a killed one until its heartbeat times out). */
  private Set<String> taskManagerIds() {
    Set<String> ids = new HashSet<>();
    try {
      get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
    } catch (Exception notAnswering) {
      // none known yet
    }
    return ids;
  }

  int restPort() {
    return restPort;
  }

  /** GET on the REST API, as JSON. */
  JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + path + ": " + r.statusCode() + " " + r.body());
    }
    return ModelJson.mapper().readTree(r.body());
  }

  /** The last lines of every process's log, for a failure message. */
  String logs() {
    StringBuilder out = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path log : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
        List<String> lines = Files.readAllLines(log, UTF_8);
        out.append("\n--- ").append(log.getFileName()).append('\n');
        lines
            .subList(Math.max(0, lines.size() - 40), lines.size())
            .forEach(l -> out.append(l).append('\n'));
      }
    } catch (IOException e) {
      out.append("(logs unreadable: ").append(e).append(')');
    }
    return out.toString();
  }

  private Process start(String name, String resourceCommand, String mainClass) throws Exception {
    List<String> params = resourceParams(resourceCommand);
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(JAVA_17_OPENS);
    command.addAll(Arrays.asList(params.get(0).trim().split("\\s+")));
    command.add("-Dlog.file=" + dir.resolve(name + ".log"));
    command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.add("--configDir");
    command.add(conf.toString());
    command.addAll(Arrays.asList(params.get(1).trim().split("\\s+")));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".out").toFile())
        .start();
  }

  /** The JVM parameters and dynamic properties the distribution's scripts would pass. */
  private List<String> resourceParams(String command) throws Exception {
    File out = dir.resolve(command + ".txt").toFile();
    Process p =
        new ProcessBuilder(
                java(),
                "-cp",
                classpath,
                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                command,
                "--configDir",
                conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(out)
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(command + " failed: " + Files.readString(out.toPath()));
    }
    List<String> results = new ArrayList<>();
    String prefix = "BASH_JAVA_UTILS_EXEC_RESULT:";
    for (String line : Files.readAllLines(out.toPath(), UTF_8)) {
      if (line.startsWith(prefix)) {
        results.add(line.substring(prefix.length()));
      }
    }
    if (results.size() != 2) {
      throw new IllegalStateException(command + " gave " + results + " in " + out);
    }
    return results;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
  }

  /** Stops every process this cluster started, forcibly, and waits until they are gone. */
  @Override
  public void close() {
    List<Process> all = new ArrayList<>(taskManagers);
    all.add(jobManager);
    for (Process p : all) {
      p.destroyForcibly();
    }
    for (Process p : all) {
      try {
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
