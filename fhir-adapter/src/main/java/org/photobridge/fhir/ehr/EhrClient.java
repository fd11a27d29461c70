package org.photobridge.fhir.ehr;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.imaging.ImagingStudyMapper;

import org.apache.http.client.config.RequestConfig;
import org.apache.http.conn.ssl.DefaultHostnameVerifier;
import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.HttpClientBuilder;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.apache.ApacheRestfulClientFactory;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.exceptions.FhirClientConnectionException;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.gclient.TokenClientParam;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;

/**
 * Talks to the EHR's FHIR R4 server: finds a patient by identifier and publishes Consents and
 * ImagingStudies as conditional updates on their business identifier, so a retried publication
 * updates what the first attempt created instead of duplicating it. Thread-safe.
 *
 * <p>Redirects are never followed: the HTTP library would copy the Authorization header to wherever the
 * redirect points. Over https the configured {@link EhrTls} decides trust, client certificate, protocols
 * and cipher suites.
 */
public final class EhrClient {

    private final IGenericClient client;

    public EhrClient(EhrSettings settings) {
        Objects.requireNonNull(settings, "settings");
        // Own context and factory: HAPI's request invocations take the HTTP client from their context's
        // factory, so the timeouts, the no-redirect rule and TLS must live on a context of this client
        // alone (on the shared one they would change every other client, or be ignored).
        var context = ca.uhn.fhir.context.FhirContext.forR4();
        var factory = new ApacheRestfulClientFactory(context);
        context.setRestfulClientFactory(factory);
        factory.setConnectTimeout(Math.toIntExact(settings.connectTimeout().toMillis()));
        factory.setConnectionRequestTimeout(Math.toIntExact(settings.connectTimeout().toMillis()));
        factory.setSocketTimeout(Math.toIntExact(settings.readTimeout().toMillis()));
        // No CapabilityStatement round trip before the first call: a down EHR should fail the call itself.
        factory.setServerValidationMode(ServerValidationModeEnum.NEVER);
        factory.setHttpClient(httpClient(settings));
        this.client = factory.newGenericClient(settings.baseUrl());
        client.setEncoding(EncodingEnum.JSON);
        settings.bearerToken().ifPresent(token -> client.registerInterceptor(new BearerTokenAuthInterceptor(token)));
        client.registerInterceptor(new ResponseSizeLimit(settings.maxResponseBytes()));
    }

    /** The HTTP client: the time-outs, no redirects, and the TLS settings when given. */
    private static org.apache.http.client.HttpClient httpClient(EhrSettings settings) {
        int connect = Math.toIntExact(settings.connectTimeout().toMillis());
        var requestConfig = RequestConfig.custom()
                .setConnectTimeout(connect)
                .setConnectionRequestTimeout(connect)
                .setSocketTimeout(Math.toIntExact(settings.readTimeout().toMillis()))
                .setRedirectsEnabled(false)
                .build();
        HttpClientBuilder builder = HttpClientBuilder.create()
                .setDefaultRequestConfig(requestConfig)
                .disableRedirectHandling()
                .setMaxConnPerRoute(20)
                .setMaxConnTotal(20);
        settings.tls().ifPresent(tls -> builder.setSSLSocketFactory(new SSLConnectionSocketFactory(tls.context(),
                tls.protocols().toArray(String[]::new), tls.cipherSuites().toArray(String[]::new),
                tls.verifyHostname() ? new DefaultHostnameVerifier() : NoopHostnameVerifier.INSTANCE)));
        return builder.build();
    }

    /**
     * The EHR's literal reference ("Patient/123") of the one Patient with this identifier, or empty
     * when there is none.
     *
     * @throws AmbiguousPatientException when more than one Patient carries it
     */
    public Optional<String> resolvePatient(BusinessIdentifier identifier) {
        return onePatient(identifier).map(p -> "Patient/" + p.getIdElement().getIdPart());
    }

    /** The one Patient the EHR holds with this identifier, or empty; more than one is an error. */
    private Optional<Patient> onePatient(BusinessIdentifier identifier) {
        Objects.requireNonNull(identifier, "identifier");
        Bundle bundle = call("Patient search", () -> client.search().forResource(Patient.class)
                .where(Patient.IDENTIFIER.exactly().systemAndIdentifier(identifier.system(), identifier.value()))
                .count(2)
                .returnBundle(Bundle.class)
                .execute());
        List<Patient> matches = bundle.getEntry().stream()
                .filter(e -> e.getResource() instanceof Patient)
                .filter(e -> !e.hasSearch() || e.getSearch().getMode() != Bundle.SearchEntryMode.INCLUDE)
                .map(e -> (Patient) e.getResource())
                .toList();
        int total = bundle.hasTotal() ? bundle.getTotal() : matches.size();
        if (total > 1 || matches.size() > 1) {
            throw new AmbiguousPatientException(identifier.system(), Math.max(total, matches.size()));
        }
        return matches.stream().findFirst();
    }

    /**
     * The one Patient with this identifier, with the demographics a capture page shows for
     * confirmation, or empty when the EHR has none.
     *
     * @throws AmbiguousPatientException when more than one Patient carries it
     */
    public Optional<EhrPatient> findPatient(BusinessIdentifier identifier) {
        return onePatient(identifier).map(p -> new EhrPatient("Patient/" + p.getIdElement().getIdPart(),
                dicomName(p), p.hasBirthDate() ? Optional.of(p.getBirthDateElement().getValueAsString())
                        : Optional.empty(),
                Optional.ofNullable(p.getGender()).map(g -> switch (g) {
                    case FEMALE -> "F";
                    case MALE -> "M";
                    case OTHER -> "O";
                    default -> "U";
                })));
    }

    /** The official (else the first) name as DICOM PN: Family^Given^Middle; empty when the EHR gives none. */
    private static Optional<String> dicomName(Patient patient) {
        var name = patient.getName().stream()
                .filter(n -> n.getUse() == org.hl7.fhir.r4.model.HumanName.NameUse.OFFICIAL).findFirst()
                .or(() -> patient.getName().stream().findFirst());
        return name.map(n -> {
            var given = n.getGiven().stream().map(g -> g.getValue()).filter(Objects::nonNull).toList();
            String pn = (n.hasFamily() ? n.getFamily() : "") + (given.isEmpty() ? "" : "^" + String.join("^",
                    given.subList(0, Math.min(2, given.size()))));
            return pn.replace("\\", "");
        }).filter(pn -> !pn.replace("^", "").isBlank());
    }

    /**
     * Creates or updates the Consent in the EHR: {@code PUT Consent?identifier=system|value}. Our
     * server's id and meta are not sent; the identifier is added to the Consent if it lacks it,
     * because that is what a retry matches on.
     */
    public PublishResult publishConsent(String consentJson, BusinessIdentifier consentIdentifier) {
        Objects.requireNonNull(consentIdentifier, "consentIdentifier");
        var consent = parse(Consent.class, consentJson);
        ensureIdentifier(consent.getIdentifier(), consentIdentifier);
        return conditionalUpdate(consent, Consent.IDENTIFIER, consentIdentifier);
    }

    /** As {@link #publishImagingStudy(ImagingStudy, String)}, from the JSON the outbox keeps. */
    public PublishResult publishImagingStudy(String studyJson, String studyInstanceUid) {
        return publishImagingStudy(parse(ImagingStudy.class, studyJson), studyInstanceUid);
    }

    /**
     * Creates or updates the ImagingStudy in the EHR:
     * {@code PUT ImagingStudy?identifier=urn:dicom:uid|urn:oid:<Study Instance UID>}. The study passed
     * in is not modified.
     */
    public PublishResult publishImagingStudy(ImagingStudy study, String studyInstanceUid) {
        Objects.requireNonNull(study, "study");
        if (studyInstanceUid == null || studyInstanceUid.isBlank()) {
            throw new IllegalArgumentException("studyInstanceUid is required");
        }
        var copy = study.copy();
        var identifier = ImagingStudyMapper.studyIdentifier(studyInstanceUid);
        ensureIdentifier(copy.getIdentifier(), identifier);
        return conditionalUpdate(copy, ImagingStudy.IDENTIFIER, identifier);
    }

    private PublishResult conditionalUpdate(DomainResource resource, TokenClientParam param, BusinessIdentifier identifier) {
        // The EHR assigns its own ids; our server's id and version must not leak into its resource.
        resource.setIdElement(null);
        resource.setMeta(null);
        var type = resource.fhirType();
        MethodOutcome outcome = call(type + " publication", () -> client.update()
                .resource(resource)
                .conditional()
                .where(param.exactly().systemAndIdentifier(identifier.system(), identifier.value()))
                .execute());
        var id = outcome.getId();
        String reference = id == null ? type : type + "/" + id.getIdPart();
        Optional<String> version = id == null ? Optional.empty() : Optional.ofNullable(id.getVersionIdPart());
        return new PublishResult(reference, version, Boolean.TRUE.equals(outcome.getCreated()));
    }

    private static void ensureIdentifier(List<Identifier> identifiers, BusinessIdentifier wanted) {
        boolean present = identifiers.stream()
                .anyMatch(i -> wanted.system().equals(i.getSystem()) && wanted.value().equals(i.getValue()));
        if (!present) {
            identifiers.add(new Identifier().setSystem(wanted.system()).setValue(wanted.value()));
        }
    }

    private static <T extends DomainResource> T parse(Class<T> type, String json) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("No " + type.getSimpleName() + " JSON to publish");
        }
        try {
            return FhirContexts.r4().newJsonParser().parseResource(type, json);
        } catch (DataFormatException e) {
            // HAPI's parse messages can quote the content; keep them out of ours.
            throw new IllegalArgumentException("The " + type.getSimpleName() + " to publish is not valid FHIR JSON", null);
        }
    }

    private interface Call<T> {
        T run();
    }

    private static <T> T call(String what, Call<T> call) {
        try {
            return call.run();
        } catch (RuntimeException e) {
            Throwable tooLarge = find(e, ResponseSizeLimit.TooLarge.class);
            if (tooLarge != null) {
                // Not worth an automatic retry: the same request gets the same answer. An operator raises
                // photobridge.ehr.max-response-bytes or asks why the EHR answers so much.
                throw new EhrRejectedException("EHR answer to " + what + " not read: " + tooLarge.getMessage()
                        + " (photobridge.ehr.max-response-bytes)", 0, List.of(), null);
            }
            throw classified(what, e);
        }
    }

    private static Throwable find(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
    }

    private static RuntimeException classified(String what, RuntimeException thrown) {
        if (thrown instanceof FhirClientConnectionException e) {
            return new EhrUnavailableException("EHR unreachable during " + what + " (" + rootCause(e)
                    + "); retry later", 0, e);
        }
        if (thrown instanceof BaseServerResponseException e) {
            int status = e.getStatusCode();
            if (status >= 300 && status < 400) {
                throw new EhrRejectedException("EHR answered " + what + " with a redirect (HTTP " + status
                        + "); redirects are not followed, so credentials never leave the configured server: "
                        + "configure the URL the EHR serves from", status, List.of(), null);
            }
            if (status >= 500 || status == 408 || status == 429) {
                return new EhrUnavailableException("EHR answered HTTP " + status + " to " + what + "; retry later",
                        status, null);
            }
            var issues = issues(e.getOperationOutcome());
            return new EhrRejectedException("EHR rejected " + what + " with HTTP " + status
                    + (issues.codes.isEmpty() ? "" : " (issues: " + String.join(", ", issues.codes) + ")")
                    + "; see the diagnostics", status, issues.diagnostics, null);
        }
        return thrown;
    }

    private record Issues(List<String> codes, List<String> diagnostics) {
    }

    private static Issues issues(IBaseOperationOutcome outcome) {
        var codes = new ArrayList<String>();
        var diagnostics = new ArrayList<String>();
        if (outcome instanceof OperationOutcome oo) {
            for (var issue : oo.getIssue()) {
                codes.add((issue.hasSeverity() ? issue.getSeverity().toCode() : "?") + "/"
                        + (issue.hasCode() ? issue.getCode().toCode() : "?"));
                if (issue.hasDiagnostics()) {
                    diagnostics.add(issue.getDiagnostics());
                } else if (issue.hasDetails() && issue.getDetails().hasText()) {
                    diagnostics.add(issue.getDetails().getText());
                }
            }
        }
        return new Issues(codes, diagnostics);
    }

    /** The kind of network failure, without URLs or content: e.g. ConnectException. */
    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName();
    }
}
