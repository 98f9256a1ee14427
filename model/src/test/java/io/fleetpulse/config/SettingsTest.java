package io.fleetpulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {

  /** Mirrors how jobs pick a delivery guarantee. */
  enum Delivery {
    AT_LEAST_ONCE,
    EXACTLY_ONCE
  }

  static final ConfigOption<String> SERVERS = KafkaOptions.BOOTSTRAP_SERVERS;
  static final ConfigOption<Integer> PARALLELISM =
      ConfigOption.key("parallelism").intType().positive().defaultValue(2).description("p");
  static final ConfigOption<Duration> INTERVAL =
      ConfigOption.key("checkpoint.interval")
          .durationType()
          .positive()
          .defaultValue(Duration.ofSeconds(5))
          .description("i");
  static final ConfigOption<Delivery> DELIVERY =
      ConfigOption.key("delivery")
          .enumType(Delivery.class)
          .defaultValue(Delivery.AT_LEAST_ONCE)
          .description("d");
  static final ConfigOption<Boolean> DEDUPE =
      ConfigOption.key("dedupe.enabled").booleanType().defaultValue(true).description("e");
  static final ConfigOption<Long> MAX_EVENTS =
      ConfigOption.key("max.events").longType().defaultValue(7L).description("m");
  static final ConfigOption<String> JOB_NAME =
      ConfigOption.key("job.name").stringType().defaultValue("telemetry").description("n");

  static final OptionSet OPTIONS =
      OptionSet.builder()
          .add(SERVERS, PARALLELISM, INTERVAL, DELIVERY, DEDUPE, MAX_EVENTS, JOB_NAME)
          .prefix(KafkaOptions.PROPERTIES_PREFIX, KafkaOptions.PROPERTIES_DESCRIPTION)
          .build();

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

    assertThat(settings.get(PARALLELISM)).isEqualTo(1);
    assertThat(settings.get(INTERVAL)).isEqualTo(Duration.ofSeconds(20));
    assertThat(settings.get(JOB_NAME)).isEqualTo("cli");
    assertThat(settings.get(DELIVERY)).isEqualTo(Delivery.EXACTLY_ONCE);
  }

  @Test
  void envNameUpperCasesAndReplacesDotsAndDashes() {
    Settings settings =
        Settings.load(
            new String[0], Map.of("FLEETPULSE_KAFKA_BOOTSTRAP_SERVERS", "broker:9092"), OPTIONS);

    assertThat(Settings.envName("mqtt.client-id")).isEqualTo("FLEETPULSE_MQTT_CLIENT_ID");
    assertThat(settings.get(SERVERS)).isEqualTo("broker:9092");
  }

  @Test
  void rejectsAnEnvironmentVariableThatNamesNoKey() {
    assertThatThrownBy(() -> load(Map.of("FLEETPULSE_PARALELISM", "4")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("FLEETPULSE_PARALELISM");
  }

  @Test
  void ignoresEnvironmentVariablesWithoutThePrefix() {
    Settings settings = load(Map.of("PATH", "/usr/bin", "PARALLELISM", "9"));

    assertThat(settings.get(PARALLELISM)).isEqualTo(2);
  }

  @Test
  void readsPassThroughKeysFromTheEnvironment() {
    Settings settings =
        load(Map.of("FLEETPULSE_KAFKA_PROPERTIES_SASL_JAAS_CONFIG", "org.example.Login x=y;"));

    assertThat(settings.withPrefix("kafka.properties."))
        .containsExactlyEntriesOf(Map.of("sasl.jaas.config", "org.example.Login x=y;"));
  }

  @Test
  void argumentsBeatPassThroughKeysFromTheEnvironment() {
    Settings settings =
        load(
            Map.of("FLEETPULSE_KAFKA_PROPERTIES_SECURITY_PROTOCOL", "SSL"),
            "--kafka.properties.security.protocol",
            "SASL_SSL");

    assertThat(settings.withPrefix("kafka.properties."))
        .containsEntry("security.protocol", "SASL_SSL");
  }

  @Test
  void returnsDefaultsWhenUnset() {
    Settings settings = load(Map.of());

    assertThat(settings.get(JOB_NAME)).isEqualTo("telemetry");
    assertThat(settings.get(PARALLELISM)).isEqualTo(2);
    assertThat(settings.get(MAX_EVENTS)).isEqualTo(7L);
    assertThat(settings.get(DEDUPE)).isTrue();
    assertThat(settings.get(INTERVAL)).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.get(DELIVERY)).isEqualTo(Delivery.AT_LEAST_ONCE);
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

    assertThat(settings.get(PARALLELISM)).isEqualTo(4);
    assertThat(settings.get(MAX_EVENTS)).isEqualTo(10_000_000_000L);
    assertThat(settings.get(DEDUPE)).isFalse();
    assertThat(settings.get(DELIVERY)).isEqualTo(Delivery.EXACTLY_ONCE);
  }

  @Test
  void refusesAnOptionOfAnotherComponent() {
    ConfigOption<String> other =
        ConfigOption.key("other.key").stringType().description("not in OPTIONS");

    assertThatThrownBy(() -> load(Map.of()).get(other))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("other.key");
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
  void namesEveryBadSettingAtOnce() {
    assertThatThrownBy(
            () -> load(Map.of(), "--parallelism", "0", "--delivery", "never", "--bogus", "1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("3 problems")
        .hasMessageContaining("'parallelism'")
        .hasMessageContaining("'delivery'")
        .hasMessageContaining("'bogus'")
        .hasMessageContaining("kafka.bootstrap.servers");
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

    assertThat(settings.get(JOB_NAME)).isEqualTo("--odd");
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

  // --- typed values -----------------------------------------------------------------------------

  @Test
  void rejectsBadIntNamingKeyValueAndSource() {
    assertThatThrownBy(() -> load(Map.of("FLEETPULSE_PARALLELISM", "four")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'parallelism'")
        .hasMessageContaining("'four'")
        .hasMessageContaining("environment variable FLEETPULSE_PARALLELISM")
        .hasMessageContaining("integer");
  }

  @Test
  void rejectsIntOutOfRange() {
    assertThatThrownBy(() -> load(Map.of(), "--parallelism", "3000000000"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'parallelism'")
        .hasMessageContaining("'3000000000'");
  }

  @Test
  void rejectsBadLongNamingKeyAndValue() {
    assertThatThrownBy(() -> load(Map.of(), "--max.events", "1e6"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'max.events'")
        .hasMessageContaining("'1e6'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "1", "on", ""})
  void rejectsBooleanOtherThanTrueOrFalse(String value) {
    assertThatThrownBy(() -> load(Map.of(), "--dedupe.enabled=" + value))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'dedupe.enabled'")
        .hasMessageContaining("'" + value + "'")
        .hasMessageContaining("true or false");
  }

  @Test
  void rejectsBadDurationNamingKeyAndValue() {
    assertThatThrownBy(() -> load(Map.of(), "--checkpoint.interval", "5 parsecs"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'checkpoint.interval'")
        .hasMessageContaining("'5 parsecs'")
        .hasMessageContaining("duration");
  }

  @Test
  void rejectsABareNumberAsADurationAskingForAUnit() {
    assertThatThrownBy(() -> load(Map.of(), "--checkpoint.interval", "250"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'250'")
        .hasMessageContaining("500ms, 5s");
  }

  @Test
  void rejectsBadEnumListingAllowedValues() {
    assertThatThrownBy(() -> load(Map.of(), "--delivery", "sometimes"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'delivery'")
        .hasMessageContaining("'sometimes'")
        .hasMessageContaining("[AT_LEAST_ONCE, EXACTLY_ONCE]");
  }

  @Test
  void namesMissingRequiredKey() {
    assertThatThrownBy(() -> Settings.load(new String[0], Map.of(), OPTIONS))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("missing required setting 'kafka.bootstrap.servers'")
        .hasMessageContaining("FLEETPULSE_KAFKA_BOOTSTRAP_SERVERS");
  }

  @Test
  void treatsBlankRequiredValueAsMissing() {
    assertThatThrownBy(
            () ->
                Settings.load(
                    new String[0], Map.of("FLEETPULSE_KAFKA_BOOTSTRAP_SERVERS", " "), OPTIONS))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("missing required setting 'kafka.bootstrap.servers'")
        .hasMessageContaining("environment variable FLEETPULSE_KAFKA_BOOTSTRAP_SERVERS");
  }

  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "5s, PT5S",
    "1m, PT1M",
    "2h, PT2H",
    "1d, PT24H",
    "10S, PT10S",
    "'  5 s ', PT5S",
    "PT1M30S, PT1M30S"
  })
  void parsesDurationForms(String text, String expected) {
    Settings settings = load(Map.of(), "--checkpoint.interval=" + text);

    assertThat(settings.get(INTERVAL)).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-3"})
  void positiveIntRejectsZeroAndNegative(String value) {
    assertThatThrownBy(() -> load(Map.of(), "--parallelism=" + value))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'parallelism'")
        .hasMessageContaining("'" + value + "'")
        .hasMessageContaining("greater than zero");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0s", "0", "-5s"})
  void positiveDurationRejectsZeroAndNegative(String value) {
    assertThatThrownBy(() -> load(Map.of(), "--checkpoint.interval=" + value))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'checkpoint.interval'")
        .hasMessageContaining("greater than zero");
  }

  @Test
  void withPrefixStripsPrefixAndLeavesOtherKeysOut() {
    Settings settings = load(Map.of(), "--kafka.properties.security.protocol", "SSL");

    assertThat(settings.withPrefix("kafka.properties."))
        .containsExactlyEntriesOf(Map.of("security.protocol", "SSL"));
  }

  @Test
  void toStringShowsSourcesButNotValues() {
    Settings settings = load(Map.of(), "--kafka.properties.sasl.password", "s3cret");

    assertThat(settings.toString())
        .contains("kafka.properties.sasl.password")
        .doesNotContain("s3cret");
  }

  @Test
  void ofChecksTheMapLikeLoad() {
    assertThat(
            Settings.of(Map.of("kafka.bootstrap.servers", "k", "parallelism", "3"), OPTIONS)
                .get(PARALLELISM))
        .isEqualTo(3);
    assertThatThrownBy(
            () -> Settings.of(Map.of("kafka.bootstrap.servers", "k", "typo", "3"), OPTIONS))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'typo'");
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** Loads with the required servers set, so each test shows one behaviour. */
  private static Settings load(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--kafka.bootstrap.servers";
    all[1] = "k:9092";
    System.arraycopy(args, 0, all, 2, args.length);
    return Settings.load(all, env, OPTIONS);
  }

  private Path properties(String content) throws IOException {
    Path file = dir.resolve("job.properties");
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }
}
