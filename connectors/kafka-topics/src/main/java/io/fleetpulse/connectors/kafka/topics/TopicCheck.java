package io.fleetpulse.connectors.kafka.topics;

import io.fleetpulse.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;

/**
 * Checks at start-up that Kafka answers and that the topics a component needs exist, and fails
 * naming every missing one — before a job is submitted or a service starts, instead of a restart
 * loop or a warning deep in a TaskManager log.
 */
public final class TopicCheck {

  /** How long Kafka may take to answer before the start fails. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private TopicCheck() {}

  /**
   * Fails with a {@link ConfigException} naming the servers when Kafka does not answer, or naming
   * every topic of {@code topics} that does not exist.
   *
   * @param clientProperties the component's {@code kafka.properties.*} (security settings)
   */
  public static void requireTopics(
      String bootstrapServers,
      Map<String, String> clientProperties,
      Collection<String> topics,
      String component) {
    Set<String> existing = existingTopics(bootstrapServers, clientProperties, DEFAULT_TIMEOUT);
    List<String> missing = new ArrayList<>();
    for (String topic : new TreeSet<>(topics)) {
      if (!existing.contains(topic)) {
        missing.add(topic);
      }
    }
    if (!missing.isEmpty()) {
      throw new ConfigException(
          component
              + " cannot start: Kafka topic"
              + (missing.size() > 1 ? "s " : " ")
              + missing
              + (missing.size() > 1 ? " do" : " does")
              + " not exist at "
              + bootstrapServers
              + "; create "
              + (missing.size() > 1 ? "them" : "it")
              + " (./fleetpulse topics create --bootstrap "
              + bootstrapServers
              + ") or point the topic.* settings at existing ones");
    }
  }

  /** The names of the topics on the cluster; fails naming the servers when Kafka is unreachable. */
  static Set<String> existingTopics(
      String bootstrapServers, Map<String, String> clientProperties, Duration timeout) {
    try (Admin admin = Admin.create(adminProperties(bootstrapServers, clientProperties, timeout))) {
      return admin
          .listTopics(new ListTopicsOptions().timeoutMs((int) timeout.toMillis()))
          .names()
          .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while checking the Kafka topics");
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new ConfigException(
          "Kafka at "
              + bootstrapServers
              + " (kafka.bootstrap.servers) did not answer within "
              + timeout.toSeconds()
              + " s: "
              + cause,
          cause);
    }
  }

  static Properties adminProperties(
      String bootstrapServers, Map<String, String> clientProperties, Duration timeout) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    return p;
  }
}
