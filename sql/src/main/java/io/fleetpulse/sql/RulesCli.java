package io.fleetpulse.sql;

import io.fleetpulse.config.ConfigException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code ./fleetpulse rules validate|test|render [--sql.dir sql] [settings]}: the analysts' tools.
 * Exit code 0 when everything is fine, 1 on a problem, 2 on a usage error.
 */
public final class RulesCli {

  private RulesCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs one command; returns the exit code. */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.length == 0 || !List.of("validate", "test", "render").contains(args[0])) {
      err.println("usage: rules validate|test|render [--sql.dir DIR] [--key value ...]");
      return 2;
    }
    String command = args[0];
    List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
    if (!rest.contains("--kafka.bootstrap.servers") && !command.equals("render")) {
      // validate and test never connect; the servers only appear in rendered options.
      rest.add("--kafka.bootstrap.servers");
      rest.add("validate.invalid:9092");
    }
    SqlRulesConfig config;
    RuleSet set;
    try {
      config = SqlRulesConfig.load(rest.toArray(String[]::new), env);
      set = RuleSet.load(Path.of(config.sqlDir())).only(config.rules());
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("rules: " + e.getMessage());
      return 2;
    }
    switch (command) {
      case "validate":
        return validate(set, config, out, err);
      case "test":
        return test(set, config, out, err);
      default:
        out.print(
            set.render(config.kafkaBindings(), RuleEnvironment.setStatements(config.stateTtl())));
        return 0;
    }
  }

  private static int validate(
      RuleSet set, SqlRulesConfig config, PrintStream out, PrintStream err) {
    List<RuleValidator.Problem> problems =
        RuleValidator.validate(set, config.kafkaBindings(), config.stateTtl());
    problems.forEach(err::println);
    out.println(
        set.rules().size()
            + " rules, "
            + problems.size()
            + (problems.size() == 1 ? " problem" : " problems"));
    return problems.isEmpty() ? 0 : 1;
  }

  private static int test(RuleSet set, SqlRulesConfig config, PrintStream out, PrintStream err) {
    Path dir = Path.of(config.sqlDir(), "rules", "tests");
    int passed = 0;
    int failed = 0;
    try (Stream<Path> files = Files.list(dir)) {
      Path work = Files.createTempDirectory("fleetpulse-rule-tests");
      RuleTestRunner runner = new RuleTestRunner(set, work);
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        RuleTest test = RuleTest.read(file);
        if (!config.rules().isEmpty() && !config.rules().contains(test.rule())) {
          continue;
        }
        for (RuleTestRunner.Outcome o : runner.run(test)) {
          if (o.passed()) {
            passed++;
            out.println("PASS " + o.rule() + ": " + o.caseName());
          } else {
            failed++;
            err.println("FAIL " + o.rule() + ": " + o.caseName() + "\n" + o.diff());
          }
        }
      }
    } catch (java.io.IOException e) {
      err.println("rules: cannot read " + dir + ": " + e);
      return 2;
    }
    out.println(passed + " passed, " + failed + " failed");
    return failed == 0 ? 0 : 1;
  }
}
