package io.fleetpulse.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shipped rule's tests (sql/rules/tests/*.yaml), run as `./fleetpulse rules test` runs them.
 */
class ShippedRuleTestsIT {

  static final Path SQL = Path.of("");
  static final RuleSet SHIPPED = RuleSet.load(SQL);

  @TempDir static Path work;

  @TestFactory
  Stream<DynamicTest> everyCaseOfEveryRuleTestPasses() throws IOException {
    RuleTestRunner runner = new RuleTestRunner(SHIPPED, work);
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : testFiles()) {
      RuleTest test = RuleTest.read(file);
      tests.add(
          DynamicTest.dynamicTest(
              test.rule(),
              () ->
                  assertThat(runner.run(test))
                      .allSatisfy(o -> assertThat(o.diff()).as(o.caseName()).isEmpty())));
    }
    return tests.stream();
  }

  @Test
  void everyShippedRuleHasAPositiveAndANegativeCase() throws IOException {
    for (SqlFile rule : SHIPPED.rules()) {
      Path file = SQL.resolve("rules/tests/" + rule.name() + ".yaml");
      assertThat(file).as("tests of " + rule.name()).exists();
      List<RuleTest.Case> cases = RuleTest.read(file).cases();
      // Positive: some case expects a signal that raises (not CLEAR); negative: one expects none.
      assertThat(cases).as(rule.name() + " positive").anyMatch(c -> raises(c));
      assertThat(cases).as(rule.name() + " negative").anyMatch(c -> !raises(c));
    }
  }

  @Test
  void aWrongExpectationFailsWithADiffNamingBothSides() {
    RuleTestRunner runner = new RuleTestRunner(SHIPPED, work);
    RuleTest wrong =
        RuleTest.read(
            write(
                "wrong.yaml",
                """
            rule: temperature_high
            cases:
              - name: expects the wrong value
                telemetry:
                  - {deviceId: b-1, ts: "2026-01-01T00:00:00Z", metrics: {temperature: 85.5}}
                expect:
                  - {deviceId: b-1, value: 99.0}
            """));

    RuleTestRunner.Outcome outcome = runner.run(wrong).get(0);

    assertThat(outcome.passed()).isFalse();
    assertThat(outcome.diff())
        .contains("expected, not produced: {\"deviceId\":\"b-1\",\"value\":99.0}")
        .contains("produced, not expected:")
        .contains("value=85.5");
  }

  private static boolean raises(RuleTest.Case c) {
    return c.expect().stream().anyMatch(e -> !"CLEAR".equals(e.path("state").asText()));
  }

  private static List<Path> testFiles() throws IOException {
    try (Stream<Path> s = Files.list(SQL.resolve("rules/tests"))) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private static Path write(String name, String content) {
    try {
      Path file = work.resolve(name);
      Files.writeString(file, content);
      return file;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
