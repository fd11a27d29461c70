package org.photobridge.gateway.persistence;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Which database the gateway uses. Read by {@link DatabaseKindConfigSource} and application.properties. */
@ConfigMapping(prefix = "photobridge.db")
public interface DatabaseConfig {

    /** {@code embedded} (H2 file database, the zero-configuration default) or {@code postgresql}. */
    @WithDefault("embedded")
    String kind();

    /** File path (without suffix) of the embedded database. */
    String embeddedPath();

    /** Derived from {@link #kind()}. */
    boolean embeddedActive();

    /** Derived from {@link #kind()}. */
    boolean postgresqlActive();

    /** JDBC URL of the PostgreSQL database, when kind is postgresql. */
    Optional<String> url();

    Optional<String> username();

    Optional<String> password();
}
