package io.fleetpulse.connectors.mqtt.internal;

import io.fleetpulse.common.Utf8;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The MQTT topic a downlink record goes to. Shadow records may name a shadow ({@code shadow.name})
 * and a response kind ({@code shadow.response}); both become topic levels, so both are checked
 * against closed rules: a record can never publish outside its own device's tree.
 */
public final class DownlinkTopics {

  /** The response kinds of the ShadowJob, AWS's. */
  static final List<String> RESPONSES =
      List.of(
          "update/accepted",
          "update/rejected",
          "update/documents",
          "get/accepted",
          "get/rejected",
          "delete/accepted",
          "delete/rejected");

  /** AWS's rule for shadow names: no {@code /}, {@code +}, {@code #} can get through. */
  private static final Pattern SHADOW_NAME = Pattern.compile("[a-zA-Z0-9:_-]{1,64}");

  private DownlinkTopics() {}

  /**
   * The topic of the record for valid {@code deviceId} on a route of {@code pattern}.
   *
   * @throws IllegalArgumentException naming the header that cannot be used
   */
  public static String topicFor(TopicPattern pattern, String deviceId, Headers headers) {
    String name = header(headers, UplinkRouter.SHADOW_NAME);
    if (name != null && !SHADOW_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "header shadow.name must be 1 to 64 characters of a-z A-Z 0-9 : _ -: '" + name + "'");
    }
    String response = null;
    if (pattern.hasShadowResponse()) {
      response = header(headers, "shadow.response");
      if (response == null || !RESPONSES.contains(response)) {
        throw new IllegalArgumentException(
            "header shadow.response must be one of " + RESPONSES + ": '" + response + "'");
      }
    }
    if (name == null && response == null) {
      return pattern.topicFor(deviceId);
    }
    return pattern.shadowTopicFor(deviceId, name, response);
  }

  private static String header(Headers headers, String key) {
    Header h = headers.lastHeader(key);
    return h == null || h.value() == null ? null : Utf8.string(h.value());
  }
}
