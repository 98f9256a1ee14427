package io.fleetpulse.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The compose stack and its files, checked offline (no Docker engine needed). */
class DeployFilesTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path COMPOSE = ROOT.resolve("docker-compose.yml");

  @Test
  void dockerComposeAcceptsTheFile() throws Exception {
    Result r = run("docker-compose", "-f", COMPOSE.toString(), "config", "-q");
    assertThat(r.exit).as("docker-compose config -q said:%n%s", r.output).isZero();
  }

  @Test
  void promtoolAcceptsTheOperationalAlertRules() throws Exception {
    Path rules = ROOT.resolve("deploy/prometheus/fleetpulse-rules.yml");
    Result r = run("promtool", "check", "rules", rules.toString());
    assertThat(r.exit).as("promtool said:%n%s", r.output).isZero();
    String text = Files.readString(rules, StandardCharsets.UTF_8);
    for (String alert :
        List.of(
            "FleetPulseConsumerLagGrowing",
            "FleetPulseCheckpointsFailing",
            "FleetPulseBridgeUnhealthy",
            "FleetPulseDeadLetterRate",
            "FleetPulseWebhookDeadLettersGrowing")) {
      assertThat(text).contains("alert: " + alert);
    }
  }

  @Test
  void everyImageIsPinnedAndEveryMountedFileExists() throws IOException {
    String compose = Files.readString(COMPOSE, StandardCharsets.UTF_8);
    Matcher images = Pattern.compile("(?m)^\\s+image:\\s*(\\S+)").matcher(compose);
    int n = 0;
    while (images.find()) {
      n++;
      String image = images.group(1);
      assertThat(image).as("image %s has a pinned tag", image).matches("[^:]+:[^:]+");
      assertThat(image).doesNotEndWith(":latest");
    }
    assertThat(n).isGreaterThanOrEqualTo(10);
    Matcher mounts = Pattern.compile("(?m)^\\s+- (\\./[^:]+):").matcher(compose);
    List<String> missing = new ArrayList<>();
    int mounted = 0;
    while (mounts.find()) {
      mounted++;
      if (!Files.exists(ROOT.resolve(mounts.group(1)))) {
        missing.add(mounts.group(1));
      }
    }
    assertThat(mounted).isGreaterThanOrEqualTo(10);
    assertThat(missing).as("mounted files missing from the repository").isEmpty();
    assertThat(ROOT.resolve("deploy/Dockerfile")).exists();
  }

  @Test
  void theGrafanaDashboardHasFleetSiteAndDevicePanels() throws IOException {
    JsonNode dash =
        new ObjectMapper()
            .readTree(ROOT.resolve("deploy/grafana/dashboards/fleetpulse.json").toFile());
    List<String> variables = new ArrayList<>();
    dash.at("/templating/list").forEach(v -> variables.add(v.path("name").asText()));
    assertThat(variables).contains("device", "site");
    List<String> titles = new ArrayList<>();
    dash.path("panels").forEach(p -> titles.add(p.path("title").asText()));
    assertThat(titles).anyMatch(t -> t.startsWith("Fleet throughput"));
    assertThat(titles).anyMatch(t -> t.contains("per site"));
    assertThat(titles).anyMatch(t -> t.startsWith("$device"));
  }

  private record Result(int exit, String output) {}

  private static Result run(String... command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          command[0] + " is not installed: ./fleetpulse test installs it (apt)", e);
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), output);
  }
}
