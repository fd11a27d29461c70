package org.photobridge.gateway.persistence;

import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Names the database the gateway runs on when it starts (server and database, never the user or a
 * password), so an operator running several replicas sees at once that they share one.
 */
@ApplicationScoped
public class DatabaseAnnouncement {
    private static final Logger LOG = Logger.getLogger(DatabaseAnnouncement.class);
    private static final Pattern CREDENTIALS = Pattern.compile("[?;].*$");

    void onStart(@Observes StartupEvent event, DatabaseSettings settings) {
        LOG.infof("database: %s", withoutParameters(settings.url()));
    }

    /** The JDBC URL without its parameters, which may carry a user or password. */
    static String withoutParameters(String url) {
        return CREDENTIALS.matcher(url).replaceFirst("");
    }
}
