package io.fleetpulse.jobs.sink;

import org.apache.flink.api.connector.sink2.Sink;

/**
 * A sink with the stable name its operator gets as {@code uid}, so that adding or removing another
 * sink never changes which state a savepoint restores into it.
 */
public record NamedSink<T>(String name, Sink<T> sink) {}
