package io.fleetpulse.model;

/**
 * The one rule for device ids, applied by every component (parser, bridge both ways, jobs, API): 1
 * to 128 characters of {@code A-Z a-z 0-9 . _ : -}.
 */
public final class DeviceIds {

  /** The longest id accepted. */
  public static final int MAX_LENGTH = 128;

  /** The rule in words, for documentation and error messages. */
  public static final String RULE = "1 to " + MAX_LENGTH + " characters of A-Z a-z 0-9 . _ : -";

  private DeviceIds() {}

  /** Whether {@code id} follows the rule. */
  public static boolean isValid(String id) {
    return problem(id) == null;
  }

  /**
   * Why {@code id} breaks the rule, or null when it follows it. Long ids are not repeated in the
   * message: a 600 KB key must not make a 600 KB error.
   */
  public static String problem(String id) {
    return problem("device id", id);
  }

  private static String problem(String name, String id) {
    if (id == null || id.isEmpty()) {
      return name + " is empty";
    }
    if (id.length() > MAX_LENGTH) {
      return name + " is " + id.length() + " characters, the limit is " + MAX_LENGTH;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!allowed(c)) {
        return name
            + " has character '"
            + (Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c))
            + "' at position "
            + i
            + "; allowed are A-Z a-z 0-9 . _ : -";
      }
    }
    return null;
  }

  /**
   * Returns {@code id} when valid.
   *
   * @throws InvalidMessageException with {@link RejectReason#MISSING_DEVICE_ID} for an empty id,
   *     {@link RejectReason#INVALID_DEVICE_ID} otherwise
   */
  public static String require(String id) throws InvalidMessageException {
    if (id == null || id.isEmpty()) {
      throw new InvalidMessageException(RejectReason.MISSING_DEVICE_ID, "deviceId is empty");
    }
    String problem = problem("deviceId", id);
    if (problem != null) {
      throw new InvalidMessageException(RejectReason.INVALID_DEVICE_ID, problem);
    }
    return id;
  }

  private static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == ':'
        || c == '-';
  }
}
