package io.fleetpulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Groups on registry records, fan-out to a group's devices and the per-item device batch. */
class GroupsAndBatchIT extends ApiTestBase {

  @Test
  void devicesCarryGroupsThatAreListedAndFiltered() {
    register("gr-1", "{\"deviceId\":\"gr-1\",\"groups\":[\"plant-a\",\"pumps\",\"pumps\"]}");
    register("gr-2", "{\"deviceId\":\"gr-2\",\"groups\":[\"plant-a\"]}");
    register("gr-3", "{\"deviceId\":\"gr-3\",\"groups\":[\"plant-b\"]}");
    JsonNode one = json(get("/devices/gr-1"));
    assertThat(one.get("groups")).hasSize(2); // sorted, distinct
    JsonNode groups = json(get("/groups"));
    List<String> listed = new ArrayList<>();
    groups
        .get("items")
        .forEach(g -> listed.add(g.get("group").asText() + "=" + g.get("devices").asInt()));
    assertThat(listed).contains("plant-a=2", "plant-b=1", "pumps=1");
    assertThat(ids(json(get("/groups/plant-a/devices")))).containsExactly("gr-1", "gr-2");
    assertThat(ids(json(get("/devices?group=pumps")))).containsExactly("gr-1");
    JsonNode paged = json(get("/groups/plant-a/devices?limit=1"));
    assertThat(ids(paged)).containsExactly("gr-1");
    assertThat(paged.hasNonNull("nextCursor")).isTrue();
    // leaving a group by PATCH
    assertThat(admin("PATCH", "/devices/gr-2", "{\"groups\":[\"plant-b\"]}").statusCode())
        .isEqualTo(200);
    assertThat(ids(json(get("/groups/plant-a/devices")))).containsExactly("gr-1");

    var bad = admin("POST", "/devices", "{\"deviceId\":\"gr-9\",\"groups\":[\"no spaces\"]}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).get("field").asText()).isEqualTo("groups[0]");
    assertThat(
            json(admin("POST", "/devices", "{\"deviceId\":\"gr-9\",\"groups\":\"x\"}"))
                .get("field")
                .asText())
        .isEqualTo("groups");
    assertThat(get("/groups/bad%20name/devices").statusCode()).isEqualTo(400);
  }

  @Test
  void aGroupCommandFansOutWithAResultPerDevice() {
    register("gc-1", "{\"deviceId\":\"gc-1\",\"groups\":[\"fan\"]}");
    register("gc-2", "{\"deviceId\":\"gc-2\",\"groups\":[\"fan\"]}");
    register("gc-3", "{\"deviceId\":\"gc-3\",\"groups\":[\"other\"]}");
    var sent = operator("POST", "/groups/fan/commands", "{\"name\":\"reboot\"}");
    assertThat(sent.statusCode()).isEqualTo(200);
    JsonNode body = json(sent);
    assertThat(body.get("succeeded").asInt()).isEqualTo(2);
    Set<String> commandIds = new java.util.HashSet<>();
    body.get("results")
        .forEach(
            r -> {
              assertThat(r.get("status").asInt()).isEqualTo(202);
              commandIds.add(r.get("commandId").asText());
            });
    List<ConsumerRecord<byte[], byte[]>> commands =
        kafka.consumeFor(FleetTopics.COMMANDS.name(), Duration.ofSeconds(2)).stream()
            .filter(r -> commandIds.contains(tree(r).path("commandId").asText()))
            .toList();
    assertThat(commands.stream().map(ApiTestBase::key).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("gc-1", "gc-2");

    var desired =
        operator("POST", "/groups/fan/shadow", "{\"state\":{\"desired\":{\"led\":\"off\"}}}");
    assertThat(desired.statusCode()).isEqualTo(200);
    Set<String> tokens = new java.util.HashSet<>();
    json(desired).get("results").forEach(r -> tokens.add(r.get("clientToken").asText()));
    assertThat(tokens).hasSize(2);
    List<ConsumerRecord<byte[], byte[]>> requests =
        kafka.consumeFor(FleetTopics.SHADOW_DESIRED.name(), Duration.ofSeconds(2)).stream()
            .filter(r -> tokens.contains(tree(r).path("clientToken").asText()))
            .toList();
    assertThat(requests).hasSize(2);
    assertThat(requests).allSatisfy(r -> assertThat(header(r, "shadow.op")).isEqualTo("update"));

    assertThat(operator("POST", "/groups/empty/commands", "{\"name\":\"x\"}").statusCode())
        .isEqualTo(404);
    assertThat(json(operator("POST", "/groups/fan/commands", "{}")).get("field").asText())
        .isEqualTo("name");
    assertThat(call("POST", "/groups/fan/commands", READER, "{\"name\":\"x\"}").statusCode())
        .isEqualTo(403);
  }

  @Test
  void aBatchAnswersPerItemAndIsReadableRightAfter() {
    register("bt-old", null);
    var batch =
        admin(
            "POST",
            "/devices:batch",
            "{\"items\":[{\"deviceId\":\"bt-1\",\"site\":\"s\"},{\"deviceId\":\"bad id\"},"
                + "{\"deviceId\":\"bt-old\",\"site\":\"t\"},{\"deviceId\":\"bt-1\"},42]}");
    assertThat(batch.statusCode()).isEqualTo(207);
    JsonNode results = json(batch).get("results");
    assertThat(results.get(0).get("status").asInt()).isEqualTo(201);
    assertThat(results.get(1).get("status").asInt()).isEqualTo(400);
    assertThat(results.get(1).at("/problem/field").asText()).isEqualTo("deviceId");
    assertThat(results.get(2).get("status").asInt()).isEqualTo(200);
    assertThat(results.get(3).at("/problem/code").asText()).isEqualTo("duplicate_item");
    assertThat(results.get(4).get("status").asInt()).isEqualTo(400);
    // read your writes for the whole batch
    assertThat(json(get("/devices/bt-1")).get("site").asText()).isEqualTo("s");
    assertThat(json(get("/devices/bt-old")).get("site").asText()).isEqualTo("t");

    var register =
        admin(
            "POST",
            "/devices:batch",
            "{\"mode\":\"register\",\"items\":[{\"deviceId\":\"bt-1\"}]}");
    assertThat(json(register).at("/results/0/problem/code").asText()).isEqualTo("device_exists");
    var all = admin("POST", "/devices:batch", "{\"items\":[{\"deviceId\":\"bt-2\"}]}");
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(json(admin("POST", "/devices:batch", "{\"items\":[]}")).get("field").asText())
        .isEqualTo("items");
    assertThat(
            json(admin("POST", "/devices:batch", "{\"items\":[{}],\"mode\":\"x\"}"))
                .get("field")
                .asText())
        .isEqualTo("mode");
    assertThat(call("POST", "/devices:batch", OPERATOR, "{\"items\":[{}]}").statusCode())
        .isEqualTo(403);
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("items").forEach(d -> ids.add(d.get("deviceId").asText()));
    return ids;
  }

  private static JsonNode tree(ConsumerRecord<byte[], byte[]> r) {
    try {
      return ModelJson.mapper().readTree(r.value());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
