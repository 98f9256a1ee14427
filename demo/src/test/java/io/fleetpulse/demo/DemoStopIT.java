package io.fleetpulse.demo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.BuildDirs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./fleetpulse demo} stopped by SIGTERM while it starts (Ctrl-C in its first seconds): the
 * demo's own JVM, signalled as a terminal signals it, exits within seconds and leaves none of the
 * server processes it started (Mosquitto, influxd) running.
 */
class DemoStopIT {

  private static final long PATIENCE_SECONDS = 40;

  @ParameterizedTest(name = "SIGTERM after \"{0}\"")
  @ValueSource(strings = {"Kafka topics", "MQTT bridge"})
  void aDemoTerminatedWhileItStartsLeavesNoServerProcessRunning(String afterLine) throws Exception {
    // The demo's data folders (and so its servers' command lines) are under this one.
    Path base = BuildDirs.fresh("demo-stop");
    String classpath = System.getProperty("surefire.test.class.path");
    Process demo =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-Dfleetpulse.build.dir=" + base,
                "-cp",
                classpath != null ? classpath : System.getProperty("java.class.path"),
                Demo.class.getName(),
                "--devices",
                "5",
                "--api.port",
                "0")
            .redirectErrorStream(true)
            .start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    StringBuilder printed = new StringBuilder();
    Thread reader = drain(demo, lines);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
      String line = "";
      while (!line.contains(afterLine)) {
        line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        assertThat(line).as("a line with \"%s\" in:%n%s", afterLine, printed).isNotNull();
        printed.append(line).append('\n');
      }
      demo.destroy(); // SIGTERM
      assertThat(demo.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS))
          .as("the demo exits after SIGTERM")
          .isTrue();
      reader.join(TimeUnit.SECONDS.toMillis(10));
      List<ProcessHandle> left = serversUnder(base);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!left.isEmpty() && System.nanoTime() < until) {
        // A killed child is gone at once; give the kernel a moment to reap it.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        left = serversUnder(base);
      }
      assertThat(left.stream().map(p -> p.info().commandLine().orElse("?")).toList())
          .as("processes of the demo left running; its output:%n%s%s", printed, rest(lines))
          .isEmpty();
    } finally {
      demo.destroyForcibly();
      // This test's own leftovers only: their command lines name its folder.
      serversUnder(base).forEach(ProcessHandle::destroyForcibly);
    }
  }

  private static List<ProcessHandle> serversUnder(Path base) {
    String dir = base.toString();
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains(dir)).orElse(false))
        .filter(p -> !p.info().command().orElse("").endsWith("/java"))
        .toList();
  }

  private static Thread drain(Process demo, BlockingQueue<String> lines) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(demo.getInputStream(), UTF_8))) {
                for (String l = in.readLine(); l != null; l = in.readLine()) {
                  lines.add(l);
                }
              } catch (IOException ended) {
                // the process is gone
              }
            },
            "demo-output");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static String rest(BlockingQueue<String> lines) {
    StringBuilder out = new StringBuilder();
    for (String l = lines.poll(); l != null; l = lines.poll()) {
      out.append(l).append('\n');
    }
    return out.toString();
  }
}
