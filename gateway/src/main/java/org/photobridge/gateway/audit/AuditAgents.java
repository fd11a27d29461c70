package org.photobridge.gateway.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.inject.Inject;

import org.photobridge.gateway.access.CallerResolver;

import io.quarkus.arc.Arc;
import io.quarkus.security.identity.SecurityIdentity;

/** Who an audited action is attributed to: the request's user, or the gateway itself. */
@ApplicationScoped
public class AuditAgents {

    @Inject
    CallerResolver callers;

    @Inject
    SecurityIdentity identity;

    public AuditLog.Agent current() {
        if (!Arc.container().requestContext().isActive()) {
            return AuditLog.Agent.SYSTEM;
        }
        try {
            if (identity.isAnonymous()) {
                return AuditLog.Agent.SYSTEM;
            }
            return AuditLog.Agent.of(callers.current());
        } catch (ContextNotActiveException e) {
            return AuditLog.Agent.SYSTEM;
        }
    }
}
