package io.fleetpulse.model.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The shadow semantics against the AWS IoT Device Shadow documentation: "Device Shadow service
 * documents" (device-shadow-document.html: delta state, versioning, client tokens, empty
 * properties, arrays), "Device Shadow service data flow" (device-shadow-data-flow.html) and "Device
 * Shadow error messages" (device-shadow-error-messages.html).
 */
class ShadowEngineTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long T1 = 1_764_331_200L;
  private static final long T2 = T1 + 60;

  private final ShadowEngine engine = new ShadowEngine(ShadowEngine.DEFAULT_MAX_DOCUMENT_BYTES);

  private static byte[] json(String s) {
    return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode tree(String s) throws Exception {
    return MAPPER.readTree(json(s));
  }

  /** Re-read, so that numbers compare by value (a long 5 and a parsed int 5 are equal). */
  private static JsonNode j(JsonNode node) throws Exception {
    return MAPPER.readTree(node.toString());
  }

  private ObjectNode apply(ObjectNode stored, String request, long now) {
    ShadowEngine.Outcome outcome = engine.update(stored, json(request), now);
    assertThat(outcome.response().kind()).isEqualTo("update/accepted");
    return outcome.stored();
  }

  // device-shadow-document.html, "Delta state": desired color RED / state STOP vs reported
  // color GREEN, engine ON gives the delta {color: RED, state: STOP}.
  @Test
  void deltaIsTheDesiredKeysThatDifferFromReported_deltaStateExample() throws Exception {
    ObjectNode s = apply(null, "{'state':{'reported':{'color':'GREEN','engine':'ON'}}}", T1);
    ShadowEngine.Outcome o =
        engine.update(s, json("{'state':{'desired':{'color':'RED','state':'STOP'}}}"), T2);
    assertThat(o.delta().get("state")).isEqualTo(tree("{'color':'RED','state':'STOP'}"));
    assertThat(o.delta().get("version").asLong()).isEqualTo(2);
    assertThat(j(o.delta().get("metadata")))
        .isEqualTo(tree("{'color':{'timestamp':" + T2 + "},'state':{'timestamp':" + T2 + "}}"));
  }

  // device-shadow-document.html, "Delta state": nested objects compare recursively; only the
  // differing leaf (lights.color.g) is in the delta.
  @Test
  void nestedObjectsDifferOnlyInTheirDifferingLeaves_deltaStateNestedExample() throws Exception {
    ObjectNode s =
        apply(null, "{'state':{'reported':{'lights':{'color':{'r':255,'g':0,'b':255}}}}}", T1);
    ShadowEngine.Outcome o =
        engine.update(
            s, json("{'state':{'desired':{'lights':{'color':{'r':255,'g':255,'b':255}}}}}"), T2);
    assertThat(o.delta().get("state")).isEqualTo(tree("{'lights':{'color':{'g':255}}}"));
  }

  // device-shadow-document.html, "Array values": arrays are compared and replaced whole.
  @Test
  void arraysAreReplacedWholeAndDifferWhole_arrayValuesSection() throws Exception {
    ObjectNode s = apply(null, "{'state':{'reported':{'colors':['RED','GREEN','BLUE']}}}", T1);
    s = apply(s, "{'state':{'reported':{'colors':['RED']}}}", T2);
    assertThat(s.at("/state/reported/colors")).isEqualTo(tree("['RED']"));
    ShadowEngine.Outcome o =
        engine.update(s, json("{'state':{'desired':{'colors':['RED','GREEN']}}}"), T2);
    assertThat(o.delta().get("state")).isEqualTo(tree("{'colors':['RED','GREEN']}"));
  }

  @Test
  void partialUpdatesMergeIntoNestedObjects() throws Exception {
    ObjectNode s = apply(null, "{'state':{'reported':{'lights':{'on':true,'level':3}}}}", T1);
    s = apply(s, "{'state':{'reported':{'lights':{'level':5},'fan':1}}}", T2);
    assertThat(s.at("/state/reported")).isEqualTo(tree("{'lights':{'on':true,'level':5},'fan':1}"));
  }

  // device-shadow-document.html, "Empty shadow document properties": null deletes a property,
  // a whole section, or with "state": null all of the state.
  @Test
  void nullRemovesAKeyASectionOrTheWholeState_emptyPropertiesSection() throws Exception {
    ObjectNode s =
        apply(null, "{'state':{'desired':{'a':1,'b':2},'reported':{'a':1,'c':{'d':1}}}}", T1);
    s = apply(s, "{'state':{'desired':{'b':null},'reported':{'c':{'d':null}}}}", T2);
    assertThat(s.at("/state/desired")).isEqualTo(tree("{'a':1}"));
    assertThat(s.at("/metadata/desired").has("b")).isFalse();
    s = apply(s, "{'state':{'desired':null}}", T2);
    assertThat(s.at("/state").has("desired")).isFalse();
    assertThat(s.at("/metadata").has("desired")).isFalse();
    s = apply(s, "{'state':null}", T2);
    assertThat(s.get("state")).isEqualTo(tree("{}"));
    assertThat(ShadowEngine.exists(s)).isTrue();
    assertThat(s.get("version").asLong()).isEqualTo(4);
  }

  // device-shadow-document.html, "Document properties": metadata has a timestamp per leaf,
  // updated only for the leaves an update touched.
  @Test
  void metadataKeepsATimestampPerLeaf_documentPropertiesSection() throws Exception {
    ObjectNode s = apply(null, "{'state':{'reported':{'a':1,'l':{'x':1},'arr':[1,{'y':2}]}}}", T1);
    s = apply(s, "{'state':{'reported':{'l':{'z':2}}}}", T2);
    assertThat(j(s.at("/metadata/reported")))
        .isEqualTo(
            tree(
                ("{'a':{'timestamp':T1},'l':{'x':{'timestamp':T1},'z':{'timestamp':T2}},"
                        + "'arr':[{'timestamp':T1},{'y':{'timestamp':T1}}]}")
                    .replace("T1", String.valueOf(T1))
                    .replace("T2", String.valueOf(T2))));
    assertThat(s.get("timestamp").asLong()).isEqualTo(T2);
  }

  private static JsonNode meta(String shape) throws Exception {
    return tree(shape.replace("T1", String.valueOf(T1)).replace("T2", String.valueOf(T2)));
  }

  // device-shadow-document.html, "Document properties": metadata has the shape of the state, a
  // timestamp per attribute. A leaf that becomes an object keeps no timestamp of the old leaf.
  @Test
  void aLeafThatBecomesAnObjectLeavesNoStaleTimestamp_documentPropertiesSection() throws Exception {
    for (String section : new String[] {"desired", "reported"}) {
      ObjectNode s = apply(null, "{'state':{'S':{'color':'red','n':1}}}".replace("S", section), T1);
      s = apply(s, "{'state':{'S':{'color':{'r':255}}}}".replace("S", section), T2);
      assertThat(s.at("/state/" + section)).isEqualTo(tree("{'color':{'r':255},'n':1}"));
      assertThat(j(s.at("/metadata/" + section)))
          .as(section)
          .isEqualTo(meta("{'color':{'r':{'timestamp':T2}},'n':{'timestamp':T1}}"));
    }
  }

  // The same for an array that becomes an object, and one level deeper.
  @Test
  void anArrayOrNestedLeafThatBecomesAnObjectGetsFreshMetadata() throws Exception {
    ObjectNode s = apply(null, "{'state':{'reported':{'a':[1,2],'l':{'x':1}}}}", T1);
    s = apply(s, "{'state':{'reported':{'a':{'b':1},'l':{'x':{'y':2}}}}}", T2);
    assertThat(j(s.at("/metadata/reported")))
        .isEqualTo(meta("{'a':{'b':{'timestamp':T2}},'l':{'x':{'y':{'timestamp':T2}}}}"));
  }

  // The reverse: an object that becomes a leaf (or an array) drops its children's metadata.
  @Test
  void anObjectThatBecomesALeafDropsItsChildrensMetadata() throws Exception {
    ObjectNode s = apply(null, "{'state':{'desired':{'color':{'r':255,'g':0},'arr':{'k':1}}}}", T1);
    s = apply(s, "{'state':{'desired':{'color':'red','arr':[{'k':2}]}}}", T2);
    assertThat(s.at("/state/desired")).isEqualTo(tree("{'color':'red','arr':[{'k':2}]}"));
    assertThat(j(s.at("/metadata/desired")))
        .isEqualTo(meta("{'color':{'timestamp':T2},'arr':[{'k':{'timestamp':T2}}]}"));
  }

  // device-shadow-document.html, "Empty shadow document properties": null removes a subtree,
  // and with it every timestamp under it; a later object of the same name starts afresh.
  @Test
  void nullRemovesASubtreeWithItsMetadata_emptyPropertiesSection() throws Exception {
    ObjectNode s =
        apply(null, "{'state':{'reported':{'lights':{'color':{'r':1},'on':true},'k':1}}}", T1);
    s = apply(s, "{'state':{'reported':{'lights':null}}}", T2);
    assertThat(s.at("/state/reported")).isEqualTo(tree("{'k':1}"));
    assertThat(j(s.at("/metadata/reported"))).isEqualTo(meta("{'k':{'timestamp':T1}}"));
    s = apply(s, "{'state':{'reported':{'lights':{'on':false}}}}", T2);
    assertThat(j(s.at("/metadata/reported")))
        .isEqualTo(meta("{'k':{'timestamp':T1},'lights':{'on':{'timestamp':T2}}}"));
  }

  // device-shadow-data-flow.html: update/accepted echoes the request state with its metadata,
  // version and clientToken; update/documents carries previous and current.
  @Test
  void acceptedAndDocumentsResponsesEchoTheRequest_dataFlowPage() throws Exception {
    ObjectNode s = apply(null, "{'state':{'reported':{'color':'GREEN'}}}", T1);
    ShadowEngine.Outcome o =
        engine.update(
            s, json("{'state':{'desired':{'color':'RED'}},'clientToken':'t-1','version':1}"), T2);
    JsonNode accepted = o.responses().get(0).body();
    assertThat(j(accepted))
        .isEqualTo(
            tree(
                "{'state':{'desired':{'color':'RED'}},'metadata':{'desired':{'color':{'timestamp':"
                    + T2
                    + "}}},'version':2,'timestamp':"
                    + T2
                    + ",'clientToken':'t-1'}"));
    ShadowEngine.Response documents = o.responses().get(1);
    assertThat(documents.kind()).isEqualTo("update/documents");
    assertThat(documents.body().at("/previous/version").asLong()).isEqualTo(1);
    assertThat(documents.body().at("/previous/state"))
        .isEqualTo(tree("{'reported':{'color':'GREEN'}}"));
    assertThat(documents.body().at("/current/version").asLong()).isEqualTo(2);
    assertThat(documents.body().at("/current/state/desired/color").asText()).isEqualTo("RED");
    assertThat(documents.body().get("clientToken").asText()).isEqualTo("t-1");
  }

  // device-shadow-document.html, "Versioning shadow documents": a request with a version that
  // is not the current one is rejected with 409, using up no version.
  @Test
  void aStaleVersionIsAConflict_versioningSection() throws Exception {
    ObjectNode s = apply(null, "{'state':{'reported':{'a':1}}}", T1);
    s = apply(s, "{'state':{'reported':{'a':2}},'version':1}", T1);
    ShadowEngine.Outcome o =
        engine.update(s, json("{'state':{'reported':{'a':3}},'version':1,'clientToken':'c'}"), T2);
    assertThat(o.changed()).isFalse();
    assertThat(o.response().kind()).isEqualTo("update/rejected");
    assertThat(j(o.response().body()))
        .isEqualTo(
            tree(
                "{'code':409,'message':'Version conflict','timestamp':"
                    + T2
                    + ",'clientToken':'c'}"));
    assertThat(apply(s, "{'state':{'reported':{'a':3}},'version':2}", T2).get("version").asLong())
        .isEqualTo(3);
  }

  // device-shadow-error-messages.html: every 400 message, word for word.
  @Test
  void malformedRequestsAreRejectedWithAwsMessages_errorMessagesPage() {
    String deep = "{'state':{'reported':{'a':{'b':{'c':{'d':{'e':{'f':{'g':1}}}}}}}}}";
    String[][] cases = {
      {"not json", ShadowErrors.INVALID_JSON},
      {"[1]", ShadowErrors.INVALID_JSON},
      {"{'clientToken':'x'}", ShadowErrors.MISSING_STATE},
      {"{'state':1}", ShadowErrors.STATE_NOT_OBJECT},
      {"{'state':{'desired':[1]}}", ShadowErrors.DESIRED_NOT_OBJECT},
      {"{'state':{'reported':'x'}}", ShadowErrors.REPORTED_NOT_OBJECT},
      {"{'state':{'reported':{}},'version':'7'}", ShadowErrors.INVALID_VERSION},
      {"{'state':{'reported':{}},'version':1.5}", ShadowErrors.INVALID_VERSION},
      {
        "{'state':{'reported':{}},'clientToken':'" + "x".repeat(65) + "'}",
        ShadowErrors.INVALID_CLIENT_TOKEN
      },
      {"{'state':{'reported':{}},'clientToken':5}", ShadowErrors.INVALID_CLIENT_TOKEN},
      {deep, ShadowErrors.TOO_DEEP},
      {"{'state':{'delta':{'a':1}}}", ShadowErrors.INVALID_NODE},
    };
    for (String[] c : cases) {
      ShadowEngine.Outcome o = engine.update(null, json(c[0]), T1);
      assertThat(o.changed()).as(c[0]).isFalse();
      assertThat(o.response().kind()).as(c[0]).isEqualTo("update/rejected");
      assertThat(o.response().body().get("code").asInt()).as(c[0]).isEqualTo(400);
      assertThat(o.response().body().get("message").asText()).as(c[0]).isEqualTo(c[1]);
    }
  }

  @Test
  void sixLevelsOfNestingAreAllowed() {
    String six = "{'state':{'reported':{'a':{'b':{'c':{'d':{'e':{'f':1}}}}}}}}";
    assertThat(engine.update(null, json(six), T1).changed()).isTrue();
  }

  @Test
  void aClientTokenOfExactly64BytesIsAccepted() {
    String request = "{'state':{'reported':{}},'clientToken':'" + "x".repeat(64) + "'}";
    assertThat(engine.update(null, json(request), T1).changed()).isTrue();
  }

  // device-shadow-error-messages.html: 413 "The payload exceeds the maximum size allowed".
  @Test
  void aPayloadOrDocumentOverTheLimitIs413() {
    ShadowEngine small = new ShadowEngine(100);
    String big = "{'state':{'reported':{'a':'" + "x".repeat(100) + "'}}}";
    ShadowEngine.Outcome tooBig = small.update(null, json(big), T1);
    assertThat(tooBig.response().body().get("code").asInt()).isEqualTo(413);
    assertThat(tooBig.response().body().get("message").asText())
        .isEqualTo(ShadowErrors.PAYLOAD_TOO_LARGE);

    ObjectNode s =
        small
            .update(null, json("{'state':{'reported':{'a':'" + "x".repeat(40) + "'}}}"), T1)
            .stored();
    ShadowEngine.Outcome grown =
        small.update(s, json("{'state':{'reported':{'b':'" + "y".repeat(40) + "'}}}"), T2);
    assertThat(grown.changed()).isFalse();
    assertThat(grown.response().body().get("code").asInt()).isEqualTo(413);
  }

  @Test
  void theDeltaIsEmittedOnlyWhenItChangesAndIsNotEmpty() throws Exception {
    ObjectNode s = apply(null, "{'state':{'desired':{'a':1}}}", T1);
    ShadowEngine.Outcome sameDelta =
        engine.update(s, json("{'state':{'reported':{'other':1}}}"), T2);
    assertThat(sameDelta.delta()).isNull();
    ShadowEngine.Outcome converged = engine.update(s, json("{'state':{'reported':{'a':1}}}"), T2);
    assertThat(converged.delta()).isNull();
    assertThat(ShadowEngine.deltaOf(converged.stored())).isEmpty();
    ShadowEngine.Outcome changed = engine.update(s, json("{'state':{'desired':{'a':2}}}"), T2);
    assertThat(changed.delta().get("state")).isEqualTo(tree("{'a':2}"));
  }

  // device-shadow-data-flow.html: a device that was offline gets the current delta in the
  // get/accepted document.
  @Test
  void getReturnsTheDocumentWithTheCurrentDelta() throws Exception {
    ObjectNode s = apply(null, "{'state':{'desired':{'a':2},'reported':{'a':1,'b':1}}}", T1);
    ShadowEngine.Outcome o = engine.get(s, json("{'clientToken':'g'}"), "s-1", T2);
    JsonNode body = o.response().body();
    assertThat(o.response().kind()).isEqualTo("get/accepted");
    assertThat(body.at("/state/delta")).isEqualTo(tree("{'a':2}"));
    assertThat(body.at("/state/reported")).isEqualTo(tree("{'a':1,'b':1}"));
    assertThat(body.get("version").asLong()).isEqualTo(1);
    assertThat(body.get("clientToken").asText()).isEqualTo("g");
    assertThat(o.changed()).isFalse();
  }

  @Test
  void getOrDeleteOfAMissingShadowIs404() {
    ShadowEngine.Outcome get = engine.get(null, new byte[0], "s-1", T1);
    assertThat(get.response().kind()).isEqualTo("get/rejected");
    assertThat(get.response().body().get("code").asInt()).isEqualTo(404);
    assertThat(get.response().body().get("message").asText())
        .isEqualTo("No shadow exists with name: s-1");
    ShadowEngine.Outcome delete = engine.delete(null, json("{'clientToken':'d'}"), "s-1", T1);
    assertThat(delete.response().kind()).isEqualTo("delete/rejected");
    assertThat(delete.response().body().get("clientToken").asText()).isEqualTo("d");
  }

  // The issue: delete removes the shadow, a re-created one continues its version.
  @Test
  void aRecreatedShadowContinuesTheVersionOfTheDeletedOne() throws Exception {
    ObjectNode s = apply(null, "{'state':{'reported':{'a':1}}}", T1);
    s = apply(s, "{'state':{'reported':{'a':2}}}", T1);
    ShadowEngine.Outcome deleted = engine.delete(s, new byte[0], "s-1", T2);
    assertThat(deleted.deleted()).isTrue();
    assertThat(deleted.response().body().get("version").asLong()).isEqualTo(2);
    assertThat(ShadowEngine.exists(deleted.stored())).isFalse();
    assertThat(engine.get(deleted.stored(), new byte[0], "s-1", T2).response().kind())
        .isEqualTo("get/rejected");
    ObjectNode again = apply(deleted.stored(), "{'state':{'reported':{'b':1}}}", T2);
    assertThat(again.get("version").asLong()).isEqualTo(3);
    assertThat(again.at("/state/reported")).isEqualTo(tree("{'b':1}"));
  }

  @Test
  void aRejectedRequestCreatesNoShadow() {
    ShadowEngine.Outcome o = engine.update(null, json("{'state':{'reported':{}},'version':5}"), T1);
    assertThat(o.response().body().get("code").asInt()).isEqualTo(409);
    assertThat(o.stored()).isNull();
    assertThat(o.document()).isNull();
  }
}
