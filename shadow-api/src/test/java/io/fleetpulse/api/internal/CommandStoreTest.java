package io.fleetpulse.api.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CommandStoreTest {

  private final AtomicLong now = new AtomicLong(1_000);
  private final CommandStore store = new CommandStore(2, now::get);

  private void command(String id, long expiresAt) {
    store
        .commands()
        .apply(
            "d-1",
            ("{\"commandId\":\""
                    + id
                    + "\",\"deviceId\":\"d-1\",\"name\":\"ping\","
                    + "\"issuedAt\":1000,\"expiresAt\":"
                    + expiresAt
                    + "}")
                .getBytes(UTF_8));
  }

  private void ack(String id, String status, long ts) {
    store
        .events()
        .apply(
            "d-1",
            ("{\"deviceId\":\"d-1\",\"ts\":"
                    + ts
                    + ",\"type\":\"command_ack\",\"commandId\":\""
                    + id
                    + "\",\"status\":\""
                    + status
                    + "\"}")
                .getBytes(UTF_8));
  }

  private String status(String id) {
    return (String) store.get("d-1", id).get("status");
  }

  @Test
  void aCommandIsSentUntilItsTimeToLivePassesWithoutAnAnswer() {
    command("c1", 5_000);
    assertThat(status("c1")).isEqualTo("SENT");
    now.set(5_001);
    assertThat(status("c1")).isEqualTo("TIMED_OUT");
  }

  @Test
  void anAnswerReadBeforeItsCommandIsJoinedAndTheFirstAnswerCounts() {
    ack("c1", "unsupported", 1_200);
    ack("c1", "done", 1_300);
    command("c1", 5_000);
    assertThat(status("c1")).isEqualTo("FAILED");
    assertThat(store.get("d-1", "c1")).containsEntry("deviceStatus", "unsupported");
    assertThat(store.get("d-1", "c1")).containsEntry("answeredAt", 1_200L);
  }

  @Test
  void theDevicesWordsMapToTheStatus() {
    command("c1", 5_000);
    command("c2", 5_000);
    ack("c1", "done", 1_100);
    ack("c2", "expired", 1_100);
    assertThat(status("c1")).isEqualTo("ACKED");
    assertThat(status("c2")).isEqualTo("EXPIRED");
  }

  @Test
  void onlyTheNewestCommandsAreKeptAndOnlyForTheirDevice() {
    command("c1", 5_000);
    command("c2", 5_000);
    command("c3", 5_000);
    assertThat(store.get("d-1", "c1")).isNull();
    assertThat(store.get("d-2", "c3")).isNull();
    assertThat(store.ofDevice("d-1", 10)).hasSize(2);
  }

  @Test
  void otherEventsArePassedOverAndUnreadableOnesRefused() {
    store.events().apply("d-1", "{\"type\":\"reboot\"}".getBytes(UTF_8));
    assertThatThrownBy(() -> store.events().apply("d-1", "nope".getBytes(UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.commands().apply("d-1", "{}".getBytes(UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
