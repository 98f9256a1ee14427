package io.fleetpulse.jobs.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.model.AlertSeverity;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AnomalyRulesTest {

  private static AnomalyRules parse(String json) {
    return AnomalyRules.parse(json.getBytes(StandardCharsets.UTF_8), "rules.json");
  }

  @Test
  void thresholdAndRisingRulesAreRead() {
    AnomalyRules rules =
        parse(
            "{\"rules\":[{\"name\":\"hot\",\"kind\":\"THRESHOLD\",\"metric\":\"temperature\","
                + "\"max\":80,\"clearMax\":75,\"for\":\"2m\",\"severity\":\"CRITICAL\"},"
                + "{\"name\":\"climb\",\"kind\":\"rising\",\"metric\":\"temperature\","
                + "\"count\":4,\"clearAfter\":\"1m\"}]}");

    assertThat(rules.thresholds())
        .containsExactly(
            new ThresholdRule(
                "hot", "temperature", null, 80.0, null, 75.0, 120_000, AlertSeverity.CRITICAL));
    assertThat(rules.rising())
        .containsExactly(new RisingRule("climb", "temperature", 4, 60_000, AlertSeverity.WARNING));
  }

  @Test
  void anUnknownFieldIsRefusedNamingFileRuleAndField() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"rules\":[{\"name\":\"hot\",\"kind\":\"THRESHOLD\",\"metric\":\"t\","
                        + "\"max\":80,\"maximum\":90}]}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("rules file rules.json, rule 'hot', field 'maximum': unknown");
  }

  @Test
  void aClearThresholdOutsideTheBoundIsRefused() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"rules\":[{\"name\":\"hot\",\"kind\":\"THRESHOLD\",\"metric\":\"t\","
                        + "\"max\":80,\"clearMax\":85}]}"))
        .hasMessage("rules file rules.json, rule 'hot', field 'clearMax': must be at most 'max'");
  }

  @Test
  void aBadDurationKindOrCountIsRefused() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"rules\":[{\"name\":\"hot\",\"kind\":\"THRESHOLD\",\"metric\":\"t\","
                        + "\"max\":80,\"for\":\"120\"}]}"))
        .hasMessageContaining("field 'for': '120' is not a duration");
    assertThatThrownBy(() -> parse("{\"rules\":[{\"name\":\"x\",\"kind\":\"SPIKE\"}]}"))
        .hasMessageContaining("field 'kind': 'SPIKE' is not THRESHOLD, RISING, RAPID_CHANGE");
    assertThatThrownBy(
            () ->
                parse(
                    "{\"rules\":[{\"name\":\"x\",\"kind\":\"RISING\",\"metric\":\"t\","
                        + "\"count\":1}]}"))
        .hasMessageContaining("field 'count'");
  }

  @Test
  void theReadmesExampleIsReadWithEveryKind() throws Exception {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
    int section = readme.indexOf("**Rules file** (`anomaly.rules-file`");
    int start = readme.indexOf("```json\n", section) + "```json\n".length();
    String json = readme.substring(start, readme.indexOf("```", start));

    AnomalyRules rules = parse(json);

    assertThat(rules.thresholds()).hasSize(2);
    assertThat(rules.thresholds().get(0).deviceTypes()).containsExactly("freezer");
    assertThat(rules.thresholds().get(0).clearForMs()).isEqualTo(60_000);
    assertThat(rules.thresholds().get(1).times()).isEqualTo(3);
    assertThat(rules.rising()).hasSize(1);
    assertThat(rules.rapidChanges())
        .containsExactly(
            new RapidChangeRule(
                "pressure-jump",
                "pressure",
                10,
                30_000,
                300_000,
                AlertSeverity.WARNING,
                java.util.List.of()));
    assertThat(rules.stuckSensors()).extracting(StuckSensorRule::count).containsExactly(10);
    assertThat(rules.metricMissing())
        .extracting(MetricMissingRule::metric, MetricMissingRule::forMs)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("humidity", 300_000L));
    assertThat(rules.escalations())
        .containsEntry("hot", java.util.List.of(new Escalation(600_000, AlertSeverity.CRITICAL)))
        .containsEntry(
            "hot-sql", java.util.List.of(new Escalation(900_000, AlertSeverity.CRITICAL)));
  }

  @Test
  void aBadEscalationStepNamesRuleFieldAndStep() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"rules\":[{\"name\":\"hot\",\"kind\":\"THRESHOLD\",\"metric\":\"t\","
                        + "\"max\":80,\"escalate\":[{\"after\":\"10m\",\"severity\":\"HUGE\"}]}]}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "rules file rules.json, rule 'hot', field 'escalate' #0, field 'severity': 'HUGE' is"
                + " not INFO, WARNING or CRITICAL");
  }

  @Test
  void aRapidChangeWithoutWithinIsRefused() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"rules\":[{\"name\":\"jump\",\"kind\":\"RAPID_CHANGE\","
                        + "\"metric\":\"p\",\"delta\":5}]}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("rules file rules.json, rule 'jump', field 'within': is missing");
  }

  @Test
  void aStuckSensorWhoseClearAfterIsNotLongerThanForIsRefused() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"rules\":[{\"name\":\"stuck\",\"kind\":\"STUCK_SENSOR\","
                        + "\"metric\":\"p\",\"count\":3,\"for\":\"10m\",\"clearAfter\":\"5m\"}]}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("rule 'stuck', field 'clearAfter': must be longer than 'for'");
  }

  @Test
  void deviceTypesMustBeANonEmptyListOfNames() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"rules\":[{\"name\":\"gone\",\"kind\":\"METRIC_MISSING\","
                        + "\"for\":\"1m\",\"deviceTypes\":\"freezer\"}]}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("rule 'gone', field 'deviceTypes'");
  }
}
