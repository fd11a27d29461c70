package org.photobridge.gateway.viewer;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.ConsentScope;
import org.photobridge.gateway.access.CallerResolver;
import org.photobridge.gateway.access.AccessPolicy;
import org.photobridge.gateway.problem.ProblemException;
import org.photobridge.gateway.problem.QueryParameters;

import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;

/** Which photos may be exported for a purpose now: withdrawn or uncovered photos are left out. */
@Path("/api/v1/exports")
@Authenticated
@Blocking
public class ExportsResource {

    @Inject
    CallerResolver callers;

    @Inject
    PhotoViewer viewer;

    /** The caller's photos of a patient that may be exported for a purpose now. */
    @GET
    @Produces("application/json")
    public List<String> exportable(@QueryParam("purpose") String purpose, @QueryParam("patient") String patient) {
        ConsentScope scope = ViewerResource.exportUse(purpose).scope;
        BusinessIdentifier who = QueryParameters.identifier(patient, "patient", true).orElseThrow();
        var caller = callers.current();
        var decision = AccessPolicy.exportList(caller);
        if (!decision.permitted()) {
            throw ProblemException.forbidden("role-not-permitted", decision.reason());
        }
        return viewer.exportable(who, scope, caller);
    }

}
