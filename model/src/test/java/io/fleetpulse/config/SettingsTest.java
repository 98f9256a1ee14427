package io.fleetpulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {

  private static final Set<String> KNOWN =
      Set.of(
          "kafka.bootstrap-servers",
          "parallelism",
          "checkpoint.interval",
          "delivery",
          "dedupe.enabled",
          "max.events",
          "job.name");

  private static final Set<String> PASS_THROUGH = Set.of("kafka.properties.");

  /** Mirrors how jobs pick a delivery guarantee. */
  enum Delivery {
    AT_LEAST_ONCE,
    EXACTLY_ONCE
  }

  @TempDir Path dir;

  // --- sources and precedence -------------------------------------------------------------------

  @Test
  void argsOverrideEnvWhichOverridesFile() throws IOException {
    Path file =
        properties("parallelism=1\njob.name=from-file\ncheckpoint.interval=10s\ndelivery=x\n");
    Map<String, String> env =
        Map.of(
            "FLEETPULSE_JOB_NAME", "from-env",
            "FLEETPULSE_CHECKPOINT_INTERVAL", "20s",
            "FLEETPULSE_DELIVERY", "at-least-once");

    Settings settings =
        load(env, "--config", file.toString(), "--delivery", "exactly_once", "--job.name=cli");

    assertThat(settings.intValue("parallelism", 9)).isEqualTo(1);
    assertThat(settings.duration("checkpoint.interval", null)).isEqualTo(Duration.ofSeconds(20));
    assertThat(settings.string("job.name", null)).isEqualTo("cli");
    assertThat(settings.enumValue("delivery", Delivery.class, null))
        .isEqualTo(Delivery.EXACTLY_ONCE);
  }

  @Test
  void envNameUpperCasesAndReplacesDotsAndDashes() {
    Settings settings =
        load(Map.of("FLEETPULSE_KAFKA_BOOTSTRAP_SERVERS", "broker:9092"), new String[0]);

    assertThat(Settings.envName("kafka.bootstrap-servers"))
        .isEqualTo("FLEETPULSE_KAFKA_BOOTSTRAP_SERVERS");
    assertThat(settings.requiredString("kafka.bootstrap-servers")).isEqualTo("broker:9092");
  }

  @Test
  void ignoresUnknownEnvironmentVariables() {
    Settings settings =
        load(
            Map.of("FLEETPULSE_PARALELISM", "4", "PATH", "/usr/bin", "FLEETPULSE_CONFIG", "x"),
            new String[0]);

    assertThat(settings.contains("paralelism")).isFalse();
    assertThat(settings.intValue("parallelism", 2)).isEqualTo(2);
  }

  @Test
  void returnsDefaultsWhenUnset() {
    Settings settings = load(Map.of());

    assertThat(settings.string("job.name", "telemetry")).isEqualTo("telemetry");
    assertThat(settings.intValue("parallelism", 2)).isEqualTo(2);
    assertThat(settings.longValue("max.events", 7L)).isEqualTo(7L);
    assertThat(settings.bool("dedupe.enabled", true)).isTrue();
    assertThat(settings.duration("checkpoint.interval", Duration.ofSeconds(5)))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.enumValue("delivery", Delivery.class, Delivery.AT_LEAST_ONCE))
        .isEqualTo(Delivery.AT_LEAST_ONCE);
  }

  @Test
  void readsTypedValues() {
    Settings settings =
        load(
            Map.of(),
            "--parallelism",
            "4",
            "--max.events",
            "10000000000",
            "--dedupe.enabled",
            "FALSE",
            "--delivery",
            "Exactly-Once");

    assertThat(settings.positiveInt("parallelism", 1)).isEqualTo(4);
    assertThat(settings.longValue("max.events", 0)).isEqualTo(10_000_000_000L);
    assertThat(settings.bool("dedupe.enabled", true)).isFalse();
    assertThat(settings.enumValue("delivery", Delivery.class, null))
        .isEqualTo(Delivery.EXACTLY_ONCE);
  }

  // --- unknown keys and malformed arguments -----------------------------------------------------

  @Test
  void rejectsUnknownKeyInArgsNamingIt() {
    assertThatThrownBy(() -> load(Map.of(), "--paralelism", "4"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown setting 'paralelism'")
        .hasMessageContaining("argument --paralelism")
        .hasMessageContaining("parallelism");
  }

  @Test
  void rejectsUnknownKeyInFileNamingItAndTheFile() throws IOException {
    Path file = properties("parallelism=2\ncheckpoint.intreval=5s\n");

    assertThatThrownBy(() -> load(Map.of(), "--config", file.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown setting 'checkpoint.intreval'")
        .hasMessageContaining("config file " + file);
  }

  @Test
  void acceptsPassThroughPrefixFromArgsAndFile() throws IOException {
    Path file = properties("kafka.properties.sasl.mechanism=PLAIN\n");

    Settings settings =
        load(
            Map.of(),
            "--config",
            file.toString(),
            "--kafka.properties.security.protocol",
            "SASL_SSL");

    assertThat(settings.withPrefix("kafka.properties."))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN"));
  }

  @Test
  void rejectsBarePassThroughPrefix() {
    assertThatThrownBy(() -> load(Map.of(), "--kafka.properties.", "x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown setting 'kafka.properties.'");
  }

  @Test
  void rejectsKeyWithoutValueAtTheEnd() {
    assertThatThrownBy(() -> load(Map.of(), "--job.name", "x", "--parallelism"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--parallelism has no value");
  }

  @Test
  void rejectsKeyFollowedByAnotherKey() {
    assertThatThrownBy(() -> load(Map.of(), "--parallelism", "--job.name", "x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--parallelism has no value");
  }

  @Test
  void acceptsValueStartingWithDashesInEqualsForm() {
    Settings settings = load(Map.of(), "--job.name=--odd");

    assertThat(settings.string("job.name", null)).isEqualTo("--odd");
  }

  @Test
  void rejectsPositionalArgument() {
    assertThatThrownBy(() -> load(Map.of(), "parallelism", "4"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unexpected argument 'parallelism'");
  }

  @Test
  void rejectsMissingConfigFileNamingThePath() {
    Path missing = dir.resolve("nope.properties");

    assertThatThrownBy(() -> load(Map.of(), "--config", missing.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void rejectsUnreadableConfigFileNamingThePath() {
    assertThatThrownBy(() -> load(Map.of(), "--config", dir.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cannot read config file '" + dir + "'");
  }

  @Test
  void rejectsConfigWithoutPath() {
    assertThatThrownBy(() -> load(Map.of(), "--config"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--config has no value");
  }

  // --- typed getters ----------------------------------------------------------------------------

  @Test
  void rejectsBadIntNamingKeyValueAndSource() {
    Settings settings = load(Map.of("FLEETPULSE_PARALLELISM", "four"));

    assertThatThrownBy(() -> settings.intValue("parallelism", 1))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'parallelism'")
        .hasMessageContaining("'four'")
        .hasMessageContaining("environment variable FLEETPULSE_PARALLELISM")
        .hasMessageContaining("integer");
  }

  @Test
  void rejectsIntOutOfRange() {
    Settings settings = load(Map.of(), "--parallelism", "3000000000");

    assertThatThrownBy(() -> settings.intValue("parallelism", 1))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'parallelism'")
        .hasMessageContaining("'3000000000'");
  }

  @Test
  void rejectsBadLongNamingKeyAndValue() {
    Settings settings = load(Map.of(), "--max.events", "1e6");

    assertThatThrownBy(() -> settings.longValue("max.events", 1))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'max.events'")
        .hasMessageContaining("'1e6'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "1", "on", ""})
  void rejectsBooleanOtherThanTrueOrFalse(String value) {
    Settings settings = load(Map.of(), "--dedupe.enabled=" + value);

    assertThatThrownBy(() -> settings.bool("dedupe.enabled", true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'dedupe.enabled'")
        .hasMessageContaining("'" + value + "'")
        .hasMessageContaining("true or false");
  }

  @Test
  void rejectsBadDurationNamingKeyAndValue() {
    Settings settings = load(Map.of(), "--checkpoint.interval", "5 parsecs");

    assertThatThrownBy(() -> settings.duration("checkpoint.interval", Duration.ZERO))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'checkpoint.interval'")
        .hasMessageContaining("'5 parsecs'")
        .hasMessageContaining("duration");
  }

  @Test
  void rejectsBadEnumListingAllowedValues() {
    Settings settings = load(Map.of(), "--delivery", "sometimes");

    assertThatThrownBy(() -> settings.enumValue("delivery", Delivery.class, null))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'delivery'")
        .hasMessageContaining("'sometimes'")
        .hasMessageContaining("[AT_LEAST_ONCE, EXACTLY_ONCE]");
  }

  @Test
  void namesMissingRequiredKey() {
    Settings settings = load(Map.of());

    assertThatThrownBy(() -> settings.requiredString("kafka.bootstrap-servers"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("missing required setting 'kafka.bootstrap-servers'")
        .hasMessageContaining("FLEETPULSE_KAFKA_BOOTSTRAP_SERVERS");
  }

  @Test
  void treatsBlankRequiredValueAsMissing() {
    Settings settings = load(Map.of("FLEETPULSE_KAFKA_BOOTSTRAP_SERVERS", " "));

    assertThatThrownBy(() -> settings.requiredString("kafka.bootstrap-servers"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("missing required setting 'kafka.bootstrap-servers'")
        .hasMessageContaining("environment variable FLEETPULSE_KAFKA_BOOTSTRAP_SERVERS");
  }

  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "5s, PT5S",
    "1m, PT1M",
    "2h, PT2H",
    "1d, PT24H",
    "250, PT0.25S",
    "0, PT0S",
    "10S, PT10S",
    "'  5 s ', PT5S",
    "PT1M30S, PT1M30S"
  })
  void parsesDurationForms(String text, String expected) {
    Settings settings = load(Map.of(), "--checkpoint.interval=" + text);

    assertThat(settings.duration("checkpoint.interval", null)).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-3"})
  void positiveIntRejectsZeroAndNegative(String value) {
    Settings settings = load(Map.of(), "--parallelism=" + value);

    assertThatThrownBy(() -> settings.positiveInt("parallelism", 1))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'parallelism'")
        .hasMessageContaining("'" + value + "'")
        .hasMessageContaining("greater than zero");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0s", "0", "-5s"})
  void positiveDurationRejectsZeroAndNegative(String value) {
    Settings settings = load(Map.of(), "--checkpoint.interval=" + value);

    assertThatThrownBy(
            () -> settings.positiveDuration("checkpoint.interval", Duration.ofSeconds(1)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'checkpoint.interval'")
        .hasMessageContaining("greater than zero");
  }

  @Test
  void positiveDurationAcceptsPositiveValue() {
    Settings settings = load(Map.of(), "--checkpoint.interval", "250ms");

    assertThat(settings.positiveDuration("checkpoint.interval", Duration.ofSeconds(1)))
        .isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void withPrefixStripsPrefixAndLeavesOtherKeysOut() {
    Settings settings =
        load(
            Map.of(),
            "--kafka.properties.security.protocol",
            "SSL",
            "--kafka.bootstrap-servers",
            "b:9092");

    assertThat(settings.withPrefix("kafka.properties."))
        .containsExactlyEntriesOf(Map.of("security.protocol", "SSL"));
    assertThat(settings.withPrefix("nothing.")).isEmpty();
  }

  @Test
  void toStringShowsSourcesButNotValues() {
    Settings settings = load(Map.of(), "--kafka.properties.sasl.password", "s3cret");

    assertThat(settings.toString())
        .contains("kafka.properties.sasl.password")
        .doesNotContain("s3cret");
  }

  @Test
  void ofBuildsSettingsFromAMap() {
    Settings settings = Settings.of(Map.of("parallelism", "3"));

    assertThat(settings.positiveInt("parallelism", 1)).isEqualTo(3);
  }

  // --- helpers ----------------------------------------------------------------------------------

  private static Settings load(Map<String, String> env, String... args) {
    return Settings.load(args, env, KNOWN, PASS_THROUGH);
  }

  private Path properties(String content) throws IOException {
    Path file = dir.resolve("job.properties");
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }
}
