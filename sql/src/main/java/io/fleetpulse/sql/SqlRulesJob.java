package io.fleetpulse.sql;

import io.fleetpulse.connectors.kafka.topics.TopicCheck;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * Submits a set of the analysts' rules as one Flink job: the table definitions bound to Kafka from
 * configuration, then every chosen rule in one statement set (one source read for all of them).
 */
public final class SqlRulesJob {

  private SqlRulesJob() {}

  public static void main(String[] args) throws Exception {
    SqlRulesConfig config = SqlRulesConfig.load(args, System.getenv());
    RuleSet set = RuleSet.load(Path.of(config.sqlDir())).only(config.rules());
    List<RuleValidator.Problem> problems =
        RuleValidator.validate(set, config.kafkaBindings(), config.stateTtl());
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("the rules do not validate:\n" + problems);
    }
    TopicCheck.requireTopics(
        config.bootstrapServers(), config.kafkaProperties(), config.topics(), "SqlRulesJob");
    Configuration conf = new Configuration();
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.checkpointInterval());
    conf.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
    statements(tEnv, set, config).execute();
  }

  /** The job's statements in {@code tEnv}: tables created, rules added, not yet executed. */
  public static StatementSet statements(
      StreamTableEnvironment tEnv, RuleSet set, SqlRulesConfig config) {
    return statements(tEnv, set, config.kafkaBindings(), config.stateTtl());
  }

  /** {@link #statements} with other table bindings (tests). */
  public static StatementSet statements(
      StreamTableEnvironment tEnv, RuleSet set, TableBindings bindings, String stateTtl) {
    RuleEnvironment.createTables(tEnv, set, bindings, stateTtl);
    StatementSet statements = tEnv.createStatementSet();
    for (SqlFile rule : set.rules()) {
      statements.addInsertSql(rule.statement());
    }
    return statements;
  }
}
