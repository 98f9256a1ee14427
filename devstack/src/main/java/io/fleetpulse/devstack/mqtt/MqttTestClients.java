package io.fleetpulse.devstack.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Connected MQTT 5 clients for tests, plain or with a client certificate. */
public final class MqttTestClients {

  private MqttTestClients() {}

  /** A connected client of {@code broker} (with the certificate of {@code clientId} over TLS). */
  public static Mqtt5AsyncClient connect(MosquittoBroker broker, String clientId) {
    Mqtt5ClientBuilder builder = builder(broker.host(), broker.port(), clientId);
    if (broker.tls() != null) {
      Path p12 = broker.tls().client(clientId);
      builder =
          builder
              .sslConfig()
              .keyManagerFactory(MqttTls.keyManager(p12, TestCertificates.PASSWORD))
              .trustManagerFactory(MqttTls.trustManager(broker.tls().caCertificate()))
              .applySslConfig();
    }
    return connected(builder.buildAsync());
  }

  /** A connected plain client of the broker at {@code host:port}. */
  public static Mqtt5AsyncClient connect(String host, int port, String clientId) {
    return connected(builder(host, port, clientId).buildAsync());
  }

  /**
   * Subscribes {@code client} to {@code filter} with QoS 1 and returns the queue that receives the
   * matching messages.
   */
  public static BlockingQueue<Mqtt5Publish> subscribe(Mqtt5AsyncClient client, String filter) {
    BlockingQueue<Mqtt5Publish> received = new LinkedBlockingQueue<>();
    client.publishes(MqttGlobalPublishFilter.ALL, received::add);
    try {
      client
          .subscribeWith()
          .topicFilter(filter)
          .qos(MqttQos.AT_LEAST_ONCE)
          .send()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot subscribe to " + filter, e);
    }
    return received;
  }

  /** Disconnects, ignoring a client that is already gone. */
  public static void disconnect(Mqtt5AsyncClient client) {
    try {
      client.disconnect().get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // Nothing left to release.
    }
  }

  private static Mqtt5ClientBuilder builder(String host, int port, String clientId) {
    return MqttClient.builder()
        .useMqttVersion5()
        .identifier(clientId)
        .serverHost(host)
        .serverPort(port);
  }

  private static Mqtt5AsyncClient connected(Mqtt5AsyncClient client) {
    try {
      client.connectWith().cleanStart(true).send().get(20, TimeUnit.SECONDS);
      return client;
    } catch (Exception e) {
      throw new IllegalStateException(
          "client " + client.getConfig().getClientIdentifier() + " cannot connect", e);
    }
  }
}
