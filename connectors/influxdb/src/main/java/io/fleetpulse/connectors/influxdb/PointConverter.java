package io.fleetpulse.connectors.influxdb;

import com.influxdb.client.write.Point;
import java.io.Serializable;
import java.util.List;

/**
 * Turns one stream element into the InfluxDB points to write for it.
 *
 * <p>It travels with the job graph, so it must be serializable (a lambda is). An element that
 * yields no point is skipped; a point without fields cannot be written and is counted as failed.
 */
@FunctionalInterface
public interface PointConverter<T> extends Serializable {

  List<Point> toPoints(T element);
}
