package org.photobridge.gateway.edge;

import java.util.List;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;

/**
 * Hands the check of request targets from Quarkus to {@link RequestTargetFilter}.
 * <p>
 * Quarkus (vertx-http {@code VertxHttpRecorder}, the server's request handler) parses every request
 * target with {@code java.net.URI} before any route runs and answers an empty 400 when that fails
 * (quarkus issues 28303, 37789): a bare {@code |} in {@code identifier=system|value} never reaches the
 * gateway. Netty and Vert.x themselves accept it. The check has one switch, the JVM system property
 * {@value #PROPERTY}, read once when that class initialises, and no hook runs before it. Config sources
 * are built before any recorder runs, in tests and in the packaged application alike, so this factory
 * is the earliest place the gateway's own code can set it. It contributes no configuration.
 * {@link RequestTargetFilter} then checks every target itself (and answers with a body).
 */
public class UriCheckHandOver implements ConfigSourceFactory {

    /** Quarkus' switch for its request-target check. */
    public static final String PROPERTY = "vertx.disableURIValidation";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        System.setProperty(PROPERTY, "true");
        return List.of();
    }
}
