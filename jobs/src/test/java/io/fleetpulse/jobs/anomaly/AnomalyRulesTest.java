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
        .hasMessageStartingWith("rules.json, rule 'hot', field 'maximum': unknown");
  }

  @Test
  void aClearThresholdOutsideTheBoundIsRefused() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"rules\":[{\"name\":\"hot\",\"kind\":\"THRESHOLD\",\"metric\":\"t\","
                        + "\"max\":80,\"clearMax\":85}]}"))
        .hasMessage("rules.json, rule 'hot', field 'clearMax': must be at most 'max'");
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
        .hasMessageContaining("field 'kind': 'SPIKE' is not THRESHOLD or RISING");
    assertThatThrownBy(
            () ->
                parse(
                    "{\"rules\":[{\"name\":\"x\",\"kind\":\"RISING\",\"metric\":\"t\","
                        + "\"count\":1}]}"))
        .hasMessageContaining("field 'count'");
  }
}
