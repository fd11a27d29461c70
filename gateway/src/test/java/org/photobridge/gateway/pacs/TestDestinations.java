package org.photobridge.gateway.pacs;

import java.util.Map;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** {@link Destinations} built from {@code photobridge.destinations.*} properties, as the gateway's start-up builds them. */
public final class TestDestinations {
    private TestDestinations() {
    }

    public static Destinations of(Map<String, String> properties) {
        // Quarkus' converter for durations such as "10s", as the gateway's configuration has it.
        var config = new SmallRyeConfigBuilder().withMapping(DestinationsConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build();
        return new Destinations(config.getConfigMapping(DestinationsConfig.class));
    }
}
