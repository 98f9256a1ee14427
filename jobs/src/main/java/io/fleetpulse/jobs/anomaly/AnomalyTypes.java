package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Alert;
import io.fleetpulse.model.Signal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/** Flink type information of the AnomalyJob's records: all POJOs, none needs Kryo. */
public final class AnomalyTypes {

  public static final TypeInformation<Signal> SIGNAL = Types.POJO(Signal.class);
  public static final TypeInformation<Alert> ALERT = Types.POJO(Alert.class);
  public static final TypeInformation<AlertInput> INPUT = Types.POJO(AlertInput.class);
  public static final TypeInformation<ParsedInput> PARSED_INPUT = Types.POJO(ParsedInput.class);

  private AnomalyTypes() {}
}
