package io.fleetpulse.api;

import io.fleetpulse.config.ConfigException;
import java.util.concurrent.CountDownLatch;

/** Runs the API as a service: {@code java -jar fleetpulse-shadow-api-all.jar --config FILE}. */
public final class ShadowApiMain {

  private ShadowApiMain() {}

  public static void main(String[] args) throws InterruptedException {
    ShadowApi api;
    try {
      api = new ShadowApi(ShadowApiConfig.load(args, System.getenv())).start();
    } catch (ConfigException e) {
      System.err.println("fleetpulse-shadow-api: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  api.close();
                  stopped.countDown();
                },
                "api-shutdown"));
    stopped.await();
  }
}
