package io.fleetpulse.model.shadow;

/**
 * The error messages of the AWS IoT Device Shadow service, word for word, so that device code that
 * matches on them keeps working (https://docs.aws.amazon.com/iot/latest/developerguide/
 * device-shadow-error-messages.html).
 */
public final class ShadowErrors {

  public static final String INVALID_JSON = "Invalid JSON";
  public static final String MISSING_STATE = "Missing required node: state";
  public static final String STATE_NOT_OBJECT = "State node must be an object";
  public static final String DESIRED_NOT_OBJECT = "Desired node must be an object";
  public static final String REPORTED_NOT_OBJECT = "Reported node must be an object";
  public static final String INVALID_VERSION = "Invalid version";
  public static final String INVALID_CLIENT_TOKEN = "Invalid clientToken";
  public static final String TOO_DEEP = "JSON contains too many levels of nesting; maximum is 6";
  public static final String INVALID_NODE = "State contains an invalid node";
  public static final String VERSION_CONFLICT = "Version conflict";
  public static final String PAYLOAD_TOO_LARGE = "The payload exceeds the maximum size allowed";

  private ShadowErrors() {}

  /** The 404 message for a shadow that does not exist. */
  public static String noShadow(String shadowName) {
    return "No shadow exists with name: " + shadowName;
  }
}
