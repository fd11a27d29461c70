package org.photobridge.gateway.intake;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.photobridge.gateway.access.StepUp;

import io.quarkus.security.Authenticated;

/**
 * The capture protocols for the capture page: reference data without patient data, so any signed-in
 * user may read it and reads are not audited.
 */
@Path("/api/v1/protocols")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class ProtocolsResource {

    @Inject
    CaptureProtocols protocols;

    @Inject
    StepUp stepUp;

    /** One view as the page sees it: what to upload it with, and whether viewing it needs a second factor. */
    public record ViewEntry(String id, String label, String instruction, String view,
            CaptureProtocols.BodySite bodySite, String laterality, boolean sensitive) {
    }

    public record ProtocolEntry(String code, String name, String description, String metadataProtocol,
            boolean freeCapture, List<ViewEntry> views) {
    }

    public record ProtocolList(List<ProtocolEntry> protocols) {
    }

    @GET
    public ProtocolList list() {
        return new ProtocolList(protocols.all().stream().map(p -> new ProtocolEntry(p.code(), p.name(),
                p.description(), p.metadataProtocol(), p.views().isEmpty(), p.views().stream()
                        .map(v -> new ViewEntry(v.id(), v.label(), v.instruction(), v.view(), v.bodySite(),
                                v.laterality(), stepUp.sensitive(v.bodySite().code())))
                        .toList()))
                .toList());
    }
}
