package io.fleetpulse.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.sim.SimulatorConfig.Behaviour;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class DemoIT {

  /** Incidents early, so that a short run shows them: anomalies, and silences past 3 heartbeats. */
  private static final Behaviour EARLY =
      new Behaviour(
          0.01,
          0.01,
          0.001,
          2_000,
          0.1,
          Duration.ofSeconds(3),
          Duration.ofSeconds(6),
          15,
          Duration.ofSeconds(3),
          Duration.ofSeconds(5),
          Duration.ofSeconds(40),
          Duration.ofSeconds(45));

  @Test
  void everyComponentComesUpAlertsAppearAndEverythingStops() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    Demo.Outcome outcome =
        Demo.run(
            new Demo.Options(
                20, 40, "0.1", Duration.ofSeconds(3), Duration.ofSeconds(50), 0, EARLY),
            out,
            false,
            new CountDownLatch(1));

    String printed = buffer.toString(StandardCharsets.UTF_8);
    System.out.println(printed);
    for (String component :
        new String[] {
          "Kafka (KRaft, in this JVM)",
          "MQTT broker (Mosquitto",
          "MQTT bridge",
          "Flink MiniCluster",
          "TelemetryJob",
          "AnomalyJob",
          "ShadowJob",
          "SqlRulesJob",
          "API",
          "Device simulator"
        }) {
      assertThat(printed)
          .contains("  ")
          .containsPattern("\\d\\d:\\d\\d:\\d\\d " + java.util.regex.Pattern.quote(component));
    }
    assertThat(printed).contains("Flink web UI http://127.0.0.1:").contains("(key: demo-");
    assertThat(printed).doesNotContain("A job stopped");
    assertThat(outcome.jobsRunning()).isEqualTo(4);
    assertThat(outcome.usedMqtt()).isTrue();
    assertThat(outcome.aggregates()).isPositive();
    assertThat(outcome.alertsByRule())
        .containsKeys("temperature_high", "vibration_high", "device-offline");
    assertThat(printed).containsPattern("Stopped everything in \\d+\\.\\d s");
  }
}
