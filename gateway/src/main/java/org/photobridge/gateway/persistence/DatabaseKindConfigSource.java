package org.photobridge.gateway.persistence;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns the one operator-facing switch {@code photobridge.db.kind} ({@code embedded} or
 * {@code postgresql}) into the activation flags of the two build-time datasources and persistence
 * units. Ordinal 50 keeps explicit settings of the flags in charge.
 */
public class DatabaseKindConfigSource implements ConfigSourceFactory {

    public static final String KIND = "photobridge.db.kind";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue value = context.getValue(KIND);
        String kind = value == null || value.getValue() == null ? "embedded"
                : value.getValue().strip().toLowerCase(Locale.ROOT);
        boolean postgresql = switch (kind) {
            case "embedded", "h2" -> false;
            case "postgresql", "postgres" -> true;
            default -> throw new IllegalArgumentException(
                    KIND + " must be 'embedded' or 'postgresql', not '" + kind + "'");
        };
        return List.of(new PropertiesConfigSource(Map.of(
                "photobridge.db.embedded-active", Boolean.toString(!postgresql),
                "photobridge.db.postgresql-active", Boolean.toString(postgresql)),
                "photobridge-db-kind", 50));
    }
}
