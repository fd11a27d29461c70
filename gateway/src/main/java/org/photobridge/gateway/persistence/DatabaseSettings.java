package org.photobridge.gateway.persistence;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The operator's three database keys (application.properties hands them to the datasource). Declared
 * here so a misspelt {@code photobridge.db.*} key stops the start instead of being ignored.
 */
@ConfigMapping(prefix = "photobridge.db")
public interface DatabaseSettings {

    /** JDBC URL of the PostgreSQL database. */
    @WithDefault("jdbc:postgresql://127.0.0.1:5432/photobridge")
    String url();

    @WithDefault("photobridge")
    String username();

    /** Empty for trust or peer authentication. */
    Optional<String> password();
}
