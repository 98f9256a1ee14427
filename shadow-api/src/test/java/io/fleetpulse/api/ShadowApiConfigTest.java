package io.fleetpulse.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.api.internal.ApiKeys;
import io.fleetpulse.api.internal.Role;
import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ReadmeTable;
import io.fleetpulse.config.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShadowApiConfigTest {

  private static ShadowApiConfig config(Map<String, String> values) {
    Map<String, String> all = new HashMap<>(values);
    all.putIfAbsent("kafka.bootstrap.servers", "127.0.0.1:9092");
    all.putIfAbsent("auth.api-keys", "k1=admin");
    return ShadowApiConfig.from(Settings.of(all, ShadowApiConfig.OPTIONS));
  }

  @Test
  void theDefaultTopicsAreTheDesignsTopics() {
    assertThat(config(Map.of()).topics())
        .containsExactly(
            "iot.devices",
            "iot.shadows",
            "iot.shadow.desired",
            "iot.alerts",
            "iot.commands",
            "iot.events.raw",
            "iot.shadow.responses",
            "iot.alert.actions",
            "iot.telemetry.agg");
  }

  @Test
  void apiKeysAreRequired() {
    assertThatThrownBy(
            () ->
                ShadowApiConfig.from(
                    Settings.of(Map.of("kafka.bootstrap.servers", "x:1"), ShadowApiConfig.OPTIONS)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.api-keys");
  }

  @Test
  void aBadRoleFailsTheStartWithoutRepeatingTheKey() {
    assertThatThrownBy(() -> config(Map.of("auth.api-keys", "s3cret=boss")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.api-keys")
        .hasMessageContaining("boss")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void keysMayBeGivenHashedAndRolesInclude() {
    ApiKeys keys = ApiKeys.parse("sha256:" + ApiKeys.hash("abc") + "=operator, r=reader");
    assertThat(keys.roleOf("abc")).isEqualTo(Role.OPERATOR);
    assertThat(keys.roleOf("r")).isEqualTo(Role.READER);
    assertThat(keys.roleOf("nope")).isNull();
    assertThat(Role.OPERATOR.includes(Role.READER)).isTrue();
    assertThat(Role.OPERATOR.includes(Role.ADMIN)).isFalse();
  }

  @Test
  void aBadRateLimitFailsTheStartNamingItsKey() {
    assertThatThrownBy(() -> config(Map.of("ratelimit.operator", "fast")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ratelimit.operator")
        .hasMessageContaining("RATE/BURST");
    assertThatThrownBy(() -> config(Map.of("ratelimit.keys", "s3cret=5/10")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ratelimit.keys")
        .hasMessageContaining("entry 1")
        .hasMessageNotContaining("s3cret");
    assertThat(config(Map.of("ratelimit.keys", "0123456789ab=5/10, ABCDEF012345=0"))).isNotNull();
  }

  @Test
  void theReadmeTableMatchesTheDeclarations() {
    assertThat(ReadmeTable.differences(Path.of("README.md"), "shadow-api", ShadowApiConfig.OPTIONS))
        .isEmpty();
  }
}
