package io.fleetpulse.devstack.kafka;

import io.fleetpulse.devstack.FreePorts;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.server.MetaProperties;
import kafka.tools.StorageTool$;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One real Kafka broker in KRaft mode (broker and controller in one node) inside this JVM.
 *
 * <p>It can be stopped and started again on the same ports and data, so tests can take Kafka away
 * from a running pipeline and bring it back.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final int NODE_ID = 1;

  private final Path dataDir;
  private final int brokerPort;
  private final int controllerPort;
  private final String clusterId = Uuid.randomUuid().toString();
  private final boolean acls;
  private KafkaRaftServer server;

  private EmbeddedKafka(Path dataDir, int brokerPort, int controllerPort, boolean acls) {
    this.dataDir = dataDir;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.acls = acls;
  }

  /** Starts a broker with its data under {@code dataDir} on free ports. */
  public static EmbeddedKafka start(Path dataDir) {
    EmbeddedKafka kafka = new EmbeddedKafka(dataDir, FreePorts.pick(), FreePorts.pick(), false);
    kafka.start();
    return kafka;
  }

  /**
   * Starts a broker that enforces ACLs (KRaft's {@code StandardAuthorizer}): every client is {@code
   * User:ANONYMOUS} (plain listener), a resource without ACLs is open to everyone, and a test takes
   * rights away with DENY ACLs (Admin {@code createAcls}), e.g. WRITE on one topic.
   */
  public static EmbeddedKafka startWithAcls(Path dataDir) {
    EmbeddedKafka kafka = new EmbeddedKafka(dataDir, FreePorts.pick(), FreePorts.pick(), true);
    kafka.start();
    return kafka;
  }

  /** Starts the broker (again), keeping its ports and its data. */
  public synchronized void start() {
    if (server != null) {
      return;
    }
    long began = System.nanoTime();
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    KafkaConfig config = new KafkaConfig(brokerProperties(), false);
    StorageTool$.MODULE$.formatCommand(
        new PrintStream(OutputStream.nullOutputStream()),
        CollectionConverters.asScala(List.of(dataDir.toString())).toList(),
        MetaProperties.apply(clusterId, NODE_ID),
        MetadataVersion.latest(),
        true);
    KafkaRaftServer raftServer = new KafkaRaftServer(config, Time.SYSTEM, Option.empty());
    raftServer.startup();
    server = raftServer;
    LOG.info(
        "Kafka (KRaft) up at {} in {} ms",
        bootstrapServers(),
        (System.nanoTime() - began) / 1_000_000);
  }

  /** Stops the broker; {@link #start()} brings it back with the same data. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    server.shutdown();
    server.awaitShutdown();
    server = null;
  }

  public synchronized boolean isRunning() {
    return server != null;
  }

  /** The {@code bootstrap.servers} value for clients. */
  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  @Override
  public void close() {
    stop();
  }

  private Properties brokerProperties() {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", dataDir.toString());
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "true");
    // A single node can only replicate to itself; the defaults (3) would block internal topics.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
    if (acls) {
      p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
      // No super user: DENY ACLs apply to the one principal there is, and what no ACL names stays
      // open to it (the controller's own requests included).
      p.put("allow.everyone.if.no.acl.found", "true");
    }
    return p;
  }
}
