package org.photobridge.gateway.fhir;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.photobridge.fhir.audit.AuditEventMapper;
import org.photobridge.fhir.audit.AuditEventResourceProvider;
import org.photobridge.fhir.consent.ConsentResourceProvider;
import org.photobridge.fhir.consent.ConsentValidator;
import org.photobridge.fhir.consent.PhotoConsentCodeSystemProvider;
import org.photobridge.fhir.imaging.ImagingStudyMapper;
import org.photobridge.fhir.imaging.ImagingStudyResourceProvider;
import org.photobridge.fhir.server.PhotoBridgeFhirServer;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.consent.ConsentStore;
import org.photobridge.gateway.ehr.EhrPatients;
import org.photobridge.gateway.ehr.EhrPublicationHandler;
import org.photobridge.gateway.persistence.EncounterStudies;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * The FHIR R4 endpoint at {@code /fhir}: the fhir-adapter's HAPI server wired to the gateway's
 * stores. Quarkus has already authenticated the bearer token (see the http permission for /fhir);
 * the adapter's role rules then decide per resource and interaction.
 */
@WebServlet(urlPatterns = "/fhir/*")
public class FhirEndpoint extends HttpServlet {

    @Inject
    ConsentStore consents;

    @Inject
    ConsentValidator validator;

    @Inject
    EhrPatients patients;

    @Inject
    EncounterStudies studies;

    @Inject
    EhrPublicationHandler publisher;

    @Inject
    AuditLog audit;

    @Inject
    SecurityIdentity identity;

    @Inject
    FhirAccessPolicy access;

    private PhotoBridgeFhirServer server;

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        server = new PhotoBridgeFhirServer(
                new ConsentResourceProvider(consents, validator, patients::resolve, access),
                new PhotoConsentCodeSystemProvider(),
                List.of(new ImagingStudyResourceProvider(studies, new ImagingStudyMapper(publisher.wadoRsBase()),
                                access),
                        new AuditEventResourceProvider(audit, new AuditEventMapper(), access)),
                request -> Set.copyOf(identity.getRoles()));
        server.init(config);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        // HAPI writes every answer through getWriter(), flushing after each value it writes.
        var answer = new BulkEncodingResponse(response);
        server.service(request, answer);
        answer.finish();
    }

    @Override
    public void destroy() {
        if (server != null) {
            server.destroy();
        }
        super.destroy();
    }
}
