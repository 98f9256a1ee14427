package io.fleetpulse.connectors.mqtt;

import io.fleetpulse.config.ConfigException;
import java.util.concurrent.CountDownLatch;

/** Runs the bridge as a service: {@code java -jar fleetpulse-mqtt-bridge-all.jar --config FILE}. */
public final class MqttBridgeMain {

  private MqttBridgeMain() {}

  public static void main(String[] args) throws InterruptedException {
    MqttBridgeConfig config;
    try {
      config = MqttBridgeConfig.load(args, System.getenv());
    } catch (ConfigException e) {
      System.err.println("fleetpulse-mqtt-bridge: " + e.getMessage());
      System.exit(2);
      return;
    }
    MqttBridge bridge = MqttBridge.builder().config(config).build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  bridge.close();
                  stopped.countDown();
                },
                "bridge-shutdown"));
    bridge.start();
    stopped.await();
  }
}
