package io.fleetpulse.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.operations.Operation;
import org.junit.jupiter.api.Test;

/** The script `./fleetpulse rules render` prints, as the SQL client would read it. */
class RenderedScriptTest {

  static final SqlRulesConfig CONFIG =
      SqlRulesConfig.load(
          new String[] {
            "--kafka.bootstrap.servers", "kafka-1:9092",
            "--kafka.properties.security.protocol", "SASL_SSL",
            "--topic.devices", "plant7.devices"
          },
          Map.of());

  @Test
  void theRenderedScriptParsesAsOneScriptOfTheSameStatementsInOrder() {
    RuleSet set = RuleSet.load(Path.of(""));
    String script = set.render(CONFIG.kafkaBindings(), RuleEnvironment.setStatements("1 h"));
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    List<String> kinds = new ArrayList<>();
    int setStart = script.indexOf("EXECUTE STATEMENT SET");
    List<String> statements = new ArrayList<>(List.of(script.substring(0, setStart).split(";\n")));
    // The statement set is one statement whose inner statements end in ';' too.
    statements.add(script.substring(setStart).strip().replaceAll(";$", ""));
    for (String statement : statements) {
      if (statement.strip().isEmpty()) {
        continue;
      }
      for (Operation op : ((TableEnvironmentInternal) tEnv).getParser().parse(statement)) {
        kinds.add(op.getClass().getSimpleName());
        if (op.getClass().getSimpleName().equals("CreateTableOperation")) {
          tEnv.executeSql(statement);
        }
      }
    }
    assertThat(kinds)
        .containsExactly(
            "SetOperation",
            "SetOperation",
            "CreateTableOperation",
            "CreateTableOperation",
            "CreateTableOperation",
            "CreateTableOperation",
            "StatementSetOperation");
  }

  @Test
  void theConfigurationIsFilledInNotEditedIntoTheSql() {
    String script =
        RuleSet.load(Path.of(""))
            .render(CONFIG.kafkaBindings(), RuleEnvironment.setStatements("1 h"));

    assertThat(script)
        .contains("'properties.bootstrap.servers' = 'kafka-1:9092'")
        .contains("'properties.security.protocol' = 'SASL_SSL'")
        .contains("'topic' = 'plant7.devices'")
        .doesNotContain("${");
  }

  @Test
  void theReadmeTableMatchesTheDeclarations() {
    assertThat(
            io.fleetpulse.config.ReadmeTable.differences(
                Path.of("..", "README.md"), "sql-rules", SqlRulesConfig.OPTIONS))
        .isEmpty();
  }
}
