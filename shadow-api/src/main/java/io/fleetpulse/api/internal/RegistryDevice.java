package io.fleetpulse.api.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fleetpulse.model.Device;
import java.util.List;

/**
 * A registry record as the API keeps it: the model's {@link Device} plus the groups it belongs to.
 * The jobs read the same record as a {@code Device} and ignore {@code groups} (unknown properties
 * are skipped), so groups stay the API's concern and the Flink state type does not change.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RegistryDevice extends Device {

  private List<String> groups;

  public RegistryDevice() {}

  /** The groups the device belongs to, sorted and distinct; null for none. */
  public List<String> getGroups() {
    return groups;
  }

  public void setGroups(List<String> groups) {
    this.groups = groups;
  }

  /** Whether the device belongs to {@code group}. */
  public boolean inGroup(String group) {
    return groups != null && groups.contains(group);
  }
}
