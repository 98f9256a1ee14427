package io.fleetpulse.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `./fleetpulse rules validate` on the shipped rules and on broken copies of one of them. */
class RuleValidatorIT {

  @TempDir static Path dir;
  static List<RuleValidator.Problem> problems;

  static final SqlRulesConfig CONFIG =
      SqlRulesConfig.load(new String[] {"--kafka.bootstrap.servers", "k:9092"}, Map.of());

  @BeforeAll
  static void validateABrokenCopy() throws IOException {
    Files.createDirectories(dir.resolve("ddl"));
    Files.createDirectories(dir.resolve("rules"));
    for (SqlFile t : RuleSet.load(Path.of("")).tables()) {
      Files.copy(t.path(), dir.resolve("ddl").resolve(t.path().getFileName()));
    }
    String ok = Files.readString(Path.of("rules/temperature_high.sql"));
    Files.writeString(dir.resolve("rules/a_ok.sql"), ok);
    Files.writeString(
        dir.resolve("rules/b_syntax.sql"), ok.replace("\nFROM telemetry\n", "\nFORM telemetry\n"));
    Files.writeString(
        dir.resolve("rules/c_column.sql"),
        ok.replace("metrics['temperature'] AS `value`", "metrix AS `value`"));
    Files.writeString(
        dir.resolve("rules/d_types.sql"),
        ok.replace("WHERE metrics['temperature'] > 80", "WHERE deviceId + 1 > 0"));
    Files.writeString(dir.resolve("rules/e_ok.sql"), ok);
    Files.writeString(
        dir.resolve("rules/f_severity.sql"),
        ok.replace("-- severity: CRITICAL", "-- severity: major"));
    problems = RuleValidator.validate(RuleSet.load(dir), CONFIG.kafkaBindings(), "1 h");
  }

  @Test
  void theShippedRulesValidate() {
    assertThat(RuleValidator.validate(RuleSet.load(Path.of("")), CONFIG.kafkaBindings(), "1 h"))
        .isEmpty();
  }

  @Test
  void aSyntaxErrorIsReportedAtItsFileLineAndColumn() {
    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p.toString())
                    .startsWith(dir.resolve("rules/b_syntax.sql") + ":17:1: ")
                    .contains("FORM"));
  }

  @Test
  void anUnknownColumnIsReportedAtItsFileLineAndColumn() {
    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p.toString())
                    .startsWith(dir.resolve("rules/c_column.sql") + ":14:3: ")
                    .contains("Column 'metrix' not found"));
  }

  @Test
  void aTypeMismatchIsReportedAtItsFileLineAndColumn() {
    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p.toString())
                    .startsWith(dir.resolve("rules/d_types.sql") + ":18:7: ")
                    .contains("Cannot apply '+'"));
  }

  @Test
  void aSeverityTheAlertsDoNotKnowIsReportedInTheHeader() {
    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p.toString())
                    .startsWith(dir.resolve("rules/f_severity.sql") + ":2:1: ")
                    .contains("'major'"));
  }

  @Test
  void theOtherRulesStillValidate() {
    assertThat(problems).hasSize(4);
    assertThat(problems).noneMatch(p -> p.file().endsWith("ok.sql"));
  }
}
