package io.fleetpulse.jobs.tiers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ReadmeTable;
import io.fleetpulse.devstack.influxdb.InfluxDbExtension;
import io.fleetpulse.devstack.influxdb.InfluxDbProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The storage-tier setup against a real InfluxDB 1.x, and the S3 lifecycle it prints. */
@ExtendWith(InfluxDbExtension.class)
class StorageTiersIT {

  @Test
  void theDefaultPolicyOfANewDatabaseKeepsThirtyDays(InfluxDbProcess influx) {
    String rp =
        StorageTiers.applyRetention(influx.url(), "tiers_a", null, Duration.ofDays(30), null, null);
    assertThat(policies(influx, "tiers_a")).containsEntry(rp, "720h0m0s");
  }

  @Test
  void aNamedPolicyIsCreatedThenChangedInPlace(InfluxDbProcess influx) {
    StorageTiers.applyRetention(influx.url(), "tiers_b", "warm", Duration.ofDays(10), null, null);
    assertThat(policies(influx, "tiers_b")).containsEntry("warm", "240h0m0s");
    StorageTiers.applyRetention(influx.url(), "tiers_b", "warm", Duration.ofDays(45), null, null);
    assertThat(policies(influx, "tiers_b")).containsEntry("warm", "1080h0m0s");
  }

  @Test
  void theLifecycleMovesToInfrequentAccessThenExpires() throws Exception {
    JsonNode rule =
        new ObjectMapper()
            .readTree(
                StorageTiers.lifecycleJson("telemetry", Duration.ofDays(90), Duration.ofDays(730)))
            .path("Rules")
            .path(0);
    assertThat(rule.path("Status").asText()).isEqualTo("Enabled");
    assertThat(rule.path("Filter").path("Prefix").asText()).isEqualTo("telemetry/");
    assertThat(rule.path("Transitions").path(0).path("Days").asLong()).isEqualTo(90);
    assertThat(rule.path("Transitions").path(0).path("StorageClass").asText())
        .isEqualTo("STANDARD_IA");
    assertThat(rule.path("Expiration").path("Days").asLong()).isEqualTo(730);
    assertThat(rule.path("AbortIncompleteMultipartUpload").path("DaysAfterInitiation").asInt())
        .isEqualTo(7);
  }

  @Test
  void anExpiryBeforeTheTransitionIsRefused() {
    assertThatThrownBy(
            () -> StorageTiers.lifecycleJson("x", Duration.ofDays(90), Duration.ofDays(30)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("archive.lifecycle.expire-after");
  }

  @Test
  void theReadmeTableMatchesTheDeclarations() {
    assertThat(
            ReadmeTable.differences(
                Path.of("..", "README.md"), "storage-tiers", StorageTiers.OPTIONS))
        .isEmpty();
  }

  private static Map<String, String> policies(InfluxDbProcess influx, String db) {
    List<Map<String, Object>> rows = influx.query(db, "SHOW RETENTION POLICIES ON \"" + db + "\"");
    return rows.stream()
        .collect(Collectors.toMap(r -> (String) r.get("name"), r -> (String) r.get("duration")));
  }
}
