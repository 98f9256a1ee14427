package io.fleetpulse.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoIT {

  @Test
  void demoShowsLiveAggregatesAndDeadLetters() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    Demo.run(3, Duration.ofSeconds(3), Duration.ofSeconds(40), out);

    String printed = buffer.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("Flink web UI at http://127.0.0.1:");
    assertThat(printed).containsPattern("\\[window \\S+\\] sensor-0 +temperature +count=");
    assertThat(printed).contains("[dead letter] invalid_metric");
    assertThat(printed).containsPattern("sensor-0 .* plant-north");
    assertThat(printed).doesNotContain("The job stopped");
  }
}
