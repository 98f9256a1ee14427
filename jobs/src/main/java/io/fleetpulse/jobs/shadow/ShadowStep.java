package io.fleetpulse.jobs.shadow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetpulse.common.Utf8;
import io.fleetpulse.model.shadow.ShadowEngine;
import java.util.ArrayList;
import java.util.List;

/**
 * One request applied to one stored shadow, state kept elsewhere: the step {@link ShadowFunction}
 * runs on Flink state, and that the benchmark runs on a plain map to show what Flink state costs.
 */
public final class ShadowStep {

  private ShadowStep() {}

  /**
   * What one request gave: the responses, the JSON to store ({@code null}: unchanged), the delta
   * and the full document ({@code null} when there is none).
   */
  public record Result(
      List<ShadowMessage> responses,
      boolean rejected,
      String stored,
      ShadowMessage delta,
      ShadowMessage document) {}

  /**
   * Applies {@code request} to the shadow stored as {@code storedJson} (or none) at {@code now}.
   */
  public static Result apply(
      ShadowEngine engine, String storedJson, ShadowRequest request, long nowSeconds) {
    ObjectNode stored = storedJson == null ? null : ShadowEngine.parseStored(storedJson);
    byte[] payload = request.getPayload() == null ? new byte[0] : request.getPayload();
    String name = request.getShadowName() == null ? request.getDeviceId() : request.getShadowName();
    ShadowEngine.Outcome outcome =
        switch (request.getOp()) {
          case ShadowRequests.GET -> engine.get(stored, payload, name, nowSeconds);
          case ShadowRequests.DELETE -> engine.delete(stored, payload, name, nowSeconds);
          default -> engine.update(stored, payload, nowSeconds);
        };
    String device = request.getDeviceId();
    String shadowName = request.getShadowName();
    List<ShadowMessage> responses = new ArrayList<>(outcome.responses().size());
    for (ShadowEngine.Response response : outcome.responses()) {
      responses.add(
          new ShadowMessage(
              device, shadowName, response.kind(), Utf8.bytes(response.body().toString())));
    }
    boolean rejected = outcome.response().kind().endsWith("/rejected");
    if (!outcome.changed()) {
      return new Result(responses, rejected, null, null, null);
    }
    ShadowMessage delta =
        outcome.delta() == null
            ? null
            : new ShadowMessage(
                device, shadowName, ShadowFunction.DELTA, Utf8.bytes(outcome.delta().toString()));
    byte[] document = outcome.deleted() ? null : Utf8.bytes(outcome.document().toString());
    return new Result(
        responses,
        rejected,
        outcome.stored().toString(),
        delta,
        new ShadowMessage(device, shadowName, ShadowFunction.DOCUMENT, document));
  }
}
