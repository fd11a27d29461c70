package org.photobridge.fhir.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.consent.ConsentResourceProvider;
import org.photobridge.fhir.consent.LenientConsentParsing;
import org.photobridge.fhir.consent.PhotoConsentCodeSystemProvider;

import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ServerCapabilityStatementProvider;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;

/**
 * PhotoBridge's FHIR R4 server (mounted at {@code /fhir}): Consent and our CodeSystem, plus the
 * providers the gateway adds (ImagingStudy, AuditEvent), behind {@link RoleAuthorization}. Paging is
 * by offset ({@code _offset}/{@code _count}), stateless, so any replica answers any page link.
 */
public class PhotoBridgeFhirServer extends RestfulServer {

    private static final long serialVersionUID = 1L;

    /**
     * @param consents            the Consent endpoint
     * @param codeSystem          our published CodeSystem
     * @param additionalProviders further resource providers (ImagingStudy, AuditEvent); for paged searches
     *                            they should take {@code @Offset}/{@code @Count} or return an IBundleProvider
     *                            that reports its page offset, because there is no server-side paging cache
     * @param callerRoles         the realm roles of a request's caller
     */
    public PhotoBridgeFhirServer(ConsentResourceProvider consents, PhotoConsentCodeSystemProvider codeSystem,
            List<Object> additionalProviders, Function<HttpServletRequest, Set<String>> callerRoles) {
        super(FhirContexts.r4());
        setDefaultResponseEncoding(EncodingEnum.JSON);
        // Compact JSON unless a client asks for _pretty=true: indentation made a page of 20 Consents
        // about a third larger and its encoding slower, for machines that do not read it
        // (docs/performance.md, benchmark 4).
        setDefaultPrettyPrint(false);
        setServerName("PhotoBridge");
        setServerVersion(version());
        setImplementationDescription("PhotoBridge FHIR R4 endpoint: patients' photography consents, imaging studies"
                + " of clinical photographs and their audit trail");
        setDefaultPageSize(ConsentResourceProvider.DEFAULT_PAGE_SIZE);
        setMaximumPageSize(PageSizeLimit.MAX_COUNT);
        setPagingProvider(null);
        var providers = new ArrayList<Object>();
        providers.add(consents);
        providers.add(codeSystem);
        providers.addAll(additionalProviders);
        registerProviders(providers);
        registerInterceptor(new FailureLogging());
        registerInterceptor(new PageSizeLimit());
        registerInterceptor(new LenientConsentParsing());
        registerInterceptor(new SearchHandling());
        registerInterceptor(new RoleAuthorization(callerRoles));
        setServerConformanceProvider(new ServerCapabilityStatementProvider(this));
    }

    /**
     * Adds SMART discovery ({@link SmartDiscovery}) when the host application has put a
     * {@code Supplier<SmartConfiguration>} into the servlet context under
     * {@link SmartDiscovery#CONFIGURATION_ATTRIBUTE}.
     */
    @Override
    protected void initialize() throws ServletException {
        super.initialize();
        if (getServletContext().getAttribute(SmartDiscovery.CONFIGURATION_ATTRIBUTE) instanceof Supplier<?> source) {
            registerInterceptor(new SmartDiscovery(() -> (SmartConfiguration) source.get()));
        }
    }

    private static String version() {
        String v = PhotoBridgeFhirServer.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }
}
