package org.photobridge.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Produces;

import io.quarkus.arc.InjectableInstance;
import io.quarkus.hibernate.orm.PersistenceUnit;
import org.hibernate.Session;

/**
 * Produces the Hibernate {@link Session} of whichever persistence unit is active
 * ({@code embedded} or {@code postgresql}), so the rest of the gateway injects a plain Session.
 */
@ApplicationScoped
public class ActiveSession {

    @Produces
    @ApplicationScoped
    Session session(@Any InjectableInstance<Session> sessions, DatabaseConfig config) {
        String unit = config.postgresqlActive() ? "postgresql" : "embedded";
        return sessions.select(new PersistenceUnit.PersistenceUnitLiteral(unit)).get();
    }
}
