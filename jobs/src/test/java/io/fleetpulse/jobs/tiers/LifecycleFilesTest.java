package io.fleetpulse.jobs.tiers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The cold tier's lifecycle files in {@code deploy/s3} are the documented defaults: the AWS one is
 * what {@code storage-setup} prints, the MinIO one the same rule in {@code mc ilm import} form.
 */
class LifecycleFilesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path DIR = Path.of("..", "deploy", "s3");

  @Test
  void theAwsFileIsWhatStorageSetupPrintsForTheDefaults() throws Exception {
    JsonNode file = read("archive-lifecycle-aws.json");
    assertThat(file)
        .isEqualTo(
            JSON.readTree(
                StorageTiers.lifecycleJson(
                    "telemetry", StorageTiers.INFREQUENT_AFTER.defaultValue(), null)));
    JsonNode rule = onlyRule(file);
    assertThat(rule.path("Transitions")).hasSize(1);
    assertThat(rule.path("Transitions").path(0).path("Days").asLong())
        .isEqualTo(StorageTiers.INFREQUENT_AFTER.defaultValue().toDays())
        .isEqualTo(90);
    assertThat(rule.path("Transitions").path(0).path("StorageClass").asText())
        .isEqualTo("STANDARD_IA");
    assertThat(rule.path("AbortIncompleteMultipartUpload").path("DaysAfterInitiation").asInt())
        .isEqualTo(7);
  }

  @Test
  void theMinioFileIsTheSameRuleWithOneTransitionToARemoteTier() throws Exception {
    JsonNode aws = onlyRule(read("archive-lifecycle-aws.json"));
    JsonNode rule = onlyRule(read("archive-lifecycle-minio.json"));
    assertThat(rule.path("ID").asText()).isEqualTo(aws.path("ID").asText());
    assertThat(rule.path("Status").asText()).isEqualTo("Enabled");
    assertThat(rule.path("Filter").path("Prefix").asText())
        .isEqualTo(aws.path("Filter").path("Prefix").asText())
        .isEqualTo("telemetry/");
    assertThat(rule.has("Transitions")).as("minio-go reads one Transition object").isFalse();
    assertThat(rule.path("Transition").path("Days").asLong())
        .isEqualTo(StorageTiers.INFREQUENT_AFTER.defaultValue().toDays());
    assertThat(rule.path("Transition").path("StorageClass").asText())
        .isNotBlank()
        .isNotEqualTo("STANDARD_IA");
  }

  @Test
  void neitherExpiresByDefault() throws Exception {
    assertThat(StorageTiers.EXPIRE_AFTER.defaultValue()).isNull();
    assertThat(onlyRule(read("archive-lifecycle-aws.json")).has("Expiration")).isFalse();
    assertThat(onlyRule(read("archive-lifecycle-minio.json")).has("Expiration")).isFalse();
  }

  @Test
  void theReadmeStorageTiersTableNamesBothFiles() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String tiers = readme.substring(readme.indexOf("- **Storage tiers.**"));
    tiers = tiers.substring(0, tiers.indexOf("<!-- options:storage-tiers -->"));
    assertThat(tiers)
        .contains("deploy/s3/archive-lifecycle-aws.json")
        .contains("deploy/s3/archive-lifecycle-minio.json");
  }

  private static JsonNode read(String name) throws Exception {
    return JSON.readTree(Files.readString(DIR.resolve(name)));
  }

  private static JsonNode onlyRule(JsonNode lifecycle) {
    assertThat(lifecycle.path("Rules")).hasSize(1);
    return lifecycle.path("Rules").path(0);
  }
}
