package io.fleetpulse.demo;

import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import io.fleetpulse.devstack.BuildDirs;
import io.fleetpulse.devstack.FreePorts;
import io.fleetpulse.devstack.fleet.FleetFeeder;
import io.fleetpulse.devstack.fleet.SimulatedFleet;
import io.fleetpulse.devstack.kafka.EmbeddedKafka;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.telemetry.TelemetryJob;
import io.fleetpulse.jobs.telemetry.TelemetryJobConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The one-command demo: Kafka in this JVM, the TelemetryJob on a Flink MiniCluster (with its web
 * UI), a simulated fleet reporting every second, and the aggregates printed as windows close.
 */
public final class Demo {

  private static final ConfigOption<Integer> DEVICES =
      ConfigOption.key("devices")
          .intType()
          .positive()
          .defaultValue(20)
          .description("simulated devices");
  private static final ConfigOption<Duration> WINDOW =
      ConfigOption.key("window.size")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(10))
          .description("tumbling window size");
  private static final ConfigOption<Duration> RUN_FOR =
      ConfigOption.key("run-for")
          .durationType()
          .nonNegative()
          .defaultValue(Duration.ZERO)
          .description("stop after this long; 0 runs until Ctrl-C");

  /** The demo's options. */
  public static final OptionSet OPTIONS = OptionSet.builder().add(DEVICES, WINDOW, RUN_FOR).build();

  private Demo() {}

  public static void main(String[] args) throws Exception {
    Settings s = Settings.load(args, System.getenv(), OPTIONS);
    run(s.get(DEVICES), s.get(WINDOW), s.get(RUN_FOR), System.out);
  }

  /** Runs the demo; a zero {@code runFor} runs until the JVM is stopped (Ctrl-C). */
  public static void run(int devices, Duration window, Duration runFor, PrintStream out)
      throws Exception {
    out.println("FleetPulse demo: starting Kafka (KRaft, in this JVM) ...");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(BuildDirs.fresh("demo-kafka"))) {
      KafkaTestClient admin = new KafkaTestClient(kafka.bootstrapServers());
      TelemetryJobConfig config =
          TelemetryJobConfig.load(
              new String[] {
                "--kafka.bootstrap.servers", kafka.bootstrapServers(),
                "--window.size", window.toMillis() + "ms",
                "--watermark.out-of-orderness", "2s",
                "--watermark.idleness", "5s",
                "--checkpoint.interval", "10s"
              },
              Map.of());
      admin.createTopics(4, config.topics(), List.of(config.devicesTopic()));
      SimulatedFleet fleet = new SimulatedFleet(devices, "sensor");
      admin.produce(DemoRegistry.records(fleet, config.devicesTopic()));

      int uiPort = FreePorts.pick();
      Configuration flinkConf = TelemetryJob.flinkConfiguration(config);
      flinkConf.set(RestOptions.PORT, uiPort);
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flinkConf);
      env.setParallelism(2);
      TelemetryJob.kafkaJob(config, false).build(env);
      JobClient job = env.executeAsync("FleetPulse TelemetryJob (demo)");

      out.printf(
          "Kafka at %s, Flink web UI at http://127.0.0.1:%d, %d devices reporting every second,"
              + " %d s windows.%n",
          kafka.bootstrapServers(), uiPort, devices, window.toSeconds());
      out.println(
          "Aggregates print as windows close (first after one window + 2 s). Ctrl-C stops.");

      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      try (FleetFeeder feeder =
              new FleetFeeder(
                      new SimulatedFleet(devices, "sensor"), admin.producer(), config.rawTopic())
                  .start(Duration.ofSeconds(1));
          LivePrinter printer =
              new LivePrinter(
                      kafka.bootstrapServers(),
                      List.of(config.aggregateTopic(), config.deadLetterTopic()),
                      out)
                  .start()) {
        long end = runFor.isZero() ? Long.MAX_VALUE : System.nanoTime() + runFor.toNanos();
        while (!stop.await(1, TimeUnit.SECONDS) && System.nanoTime() < end) {
          JobStatus status = job.getJobStatus().get();
          if (status.isGloballyTerminalState()) {
            out.println("The job stopped (" + status + "): " + failureOf(job));
            break;
          }
        }
        out.printf(
            "Stopping: %d messages sent, %d aggregates and %d dead letters seen.%n",
            feeder.sent(), printer.aggregates(), printer.deadLetters());
      } finally {
        if (!job.getJobStatus().get().isGloballyTerminalState()) {
          job.cancel().get();
        }
      }
    }
  }

  private static String failureOf(JobClient job) {
    try {
      job.getJobExecutionResult().get();
      return "finished";
    } catch (Exception e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return root.toString();
    }
  }
}
