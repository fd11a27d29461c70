package org.photobridge.fhir.ehrtest;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Patient;
import org.photobridge.fhir.FhirContexts;

import ca.uhn.fhir.rest.server.RestfulServer;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A second, independent HAPI FHIR R4 server standing in for the hospital's EHR in tests: Patient
 * (create, read, search by identifier), Consent and ImagingStudy (create, read, update, conditional
 * update on identifier, search by identifier), in memory, on a random loopback port.
 *
 * <pre>
 * try (var ehr = new EhrTestServer().start()) {
 *     String patientId = ehr.seedPatient("urn:oid:1.2.3.4.5", "MRN-0042");
 *     ... point the gateway at ehr.baseUrl() ...
 *     ehr.pause();   // the EHR is down: connection refused
 *     ehr.resume();  // back on the same port
 *     ehr.hang();    // the EHR accepts requests and never answers them
 *     ehr.resume();  // held requests are answered 503, unprocessed; new ones are served
 *     assertEquals(1, ehr.consents().size());
 *     assertEquals(1, ehr.count("PUT", "Consent"));   // its request log counts what reached it
 * }
 * </pre>
 */
public final class EhrTestServer implements AutoCloseable {

    /** One request as the EHR saw it. */
    public record Request(String method, String path, String query, String authorization) {
        /** e.g. "PUT Consent" for PUT /fhir/Consent?identifier=... */
        public String operation() {
            return method + " " + resourceType();
        }

        /** The resource type the request is about ("Consent"), or "metadata" for the capability statement. */
        public String resourceType() {
            var segments = segments();
            return segments.isEmpty() ? "" : segments.get(0);
        }

        /** The logical id in the path ({@code PUT /fhir/Consent/7} gives "7"), if any. */
        public Optional<String> id() {
            var segments = segments();
            return segments.size() > 1 && !segments.get(1).startsWith("_") ? Optional.of(segments.get(1)) : Optional.empty();
        }

        /**
         * The FHIR interaction: create, update, conditional-update, read, vread, history, search,
         * delete, capabilities (or the method in lower case for anything else).
         */
        public String interaction() {
            var segments = segments();
            boolean conditional = query != null && !query.isEmpty() && segments.size() == 1;
            return switch (method) {
                case "POST" -> segments.size() == 1 ? "create" : segments.size() == 2 && "_search".equals(segments.get(1))
                        ? "search" : "post";
                case "PUT" -> conditional ? "conditional-update" : "update";
                case "DELETE" -> conditional ? "conditional-delete" : "delete";
                case "GET" -> {
                    if ("metadata".equals(resourceType())) {
                        yield "capabilities";
                    }
                    if (segments.size() == 1) {
                        yield "search";
                    }
                    if (segments.contains("_history")) {
                        yield segments.size() == 4 ? "vread" : "history";
                    }
                    yield "read";
                }
                default -> method.toLowerCase(java.util.Locale.ROOT);
            };
        }

        /** The {@code identifier} search or condition parameter, decoded ("system|value"), if any. */
        public Optional<String> identifier() {
            if (query == null) {
                return Optional.empty();
            }
            return Arrays.stream(query.split("&")).filter(p -> p.startsWith("identifier="))
                    .map(p -> URLDecoder.decode(p.substring("identifier=".length()), StandardCharsets.UTF_8))
                    .findFirst();
        }

        private List<String> segments() {
            var resource = path.startsWith("/fhir/") ? path.substring("/fhir/".length()) : path;
            return Arrays.stream(resource.split("/")).filter(s -> !s.isEmpty()).toList();
        }
    }

    private final EhrProviders.PatientProvider patients = new EhrProviders.PatientProvider();
    private final EhrProviders.ConsentProvider consents = new EhrProviders.ConsentProvider();
    private final EhrProviders.ImagingStudyProvider studies = new EhrProviders.ImagingStudyProvider();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final JettyHost host;
    private volatile String requiredBearerToken;
    private volatile int failWithStatus;
    /** Non-null while the EHR hangs: requests wait on it, then get 503 without being processed. */
    private volatile CountDownLatch hangRelease;
    private final AtomicInteger held = new AtomicInteger();

    public EhrTestServer() {
        var servlet = new RestfulServer(FhirContexts.r4());
        servlet.setServerName("EHR test server");
        servlet.registerProviders(patients, consents, studies);
        host = new JettyHost(servlet, new Gate());
    }

    public EhrTestServer start() {
        host.start();
        return this;
    }

    public void stop() {
        release();
        host.stop();
    }

    @Override
    public void close() {
        stop();
    }

    /** The FHIR base URL, e.g. http://127.0.0.1:41234/fhir. Stays the same across pause/resume. */
    public String baseUrl() {
        return host.baseUrl();
    }

    /** The EHR goes down: its port stops listening, so connections are refused. */
    public void pause() {
        host.pause();
    }

    /**
     * The EHR hangs: it keeps accepting connections and reading requests but answers none of them
     * (up to five minutes) until {@link #resume()}, which answers the held ones 503 without processing
     * them. Held requests are in the request log.
     */
    public void hang() {
        hangRelease = new CountDownLatch(1);
    }

    /** Requests that arrived while the EHR hung (answered 503, never processed). */
    public int heldRequestCount() {
        return held.get();
    }

    /** The EHR comes back on the same port, answering normally again (clears {@link #failWith} and {@link #hang}). */
    public void resume() {
        failWithStatus = 0;
        release();
        if (host.isPaused()) {
            host.resume();
        }
    }

    private void release() {
        var latch = hangRelease;
        hangRelease = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    /** Every request is answered with this HTTP status and an OperationOutcome until {@link #resume()}. */
    public void failWith(int httpStatus) {
        failWithStatus = httpStatus;
    }

    /** From now on, requests without "Authorization: Bearer {@code token}" get 401; null to stop checking. */
    public void requireBearerToken(String token) {
        requiredBearerToken = token;
    }

    /** Adds a Patient with this identifier; returns its logical id. */
    public String seedPatient(String system, String value) {
        var patient = new Patient();
        patient.addIdentifier().setSystem(system).setValue(value);
        return patients.store.create(patient).getId().getIdPart();
    }

    /** Stores a Patient as given (name, birth date, gender) and returns its id. */
    public String seedPatient(Patient patient) {
        return patients.store.create(patient).getId().getIdPart();
    }

    public List<Patient> patients() {
        return patients.store.all();
    }

    /** Current version of each Consent the EHR holds. */
    public List<Consent> consents() {
        return consents.store.all();
    }

    /** Current version of each ImagingStudy the EHR holds. */
    public List<ImagingStudy> imagingStudies() {
        return studies.store.all();
    }

    /** Every request that reached the EHR while it was up, in order. */
    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /** How many requests had this operation, e.g. {@code requestCount("PUT Consent")}. */
    public long requestCount(String operation) {
        return requests.stream().filter(r -> r.operation().equals(operation)).count();
    }

    public int requestCount() {
        return requests.size();
    }

    /** How many requests had this method and resource type, e.g. {@code count("PUT", "Consent")}. */
    public long count(String method, String resourceType) {
        return requests.stream().filter(r -> r.method().equals(method) && r.resourceType().equals(resourceType)).count();
    }

    /** The requests about this resource type with this identifier ("system|value") as parameter or condition. */
    public List<Request> requestsWithIdentifier(String resourceType, String identifier) {
        return requests.stream().filter(r -> r.resourceType().equals(resourceType)
                && r.identifier().filter(identifier::equals).isPresent()).toList();
    }

    public void clearRequests() {
        requests.clear();
        held.set(0);
    }

    /** Records requests, checks the bearer token, and answers injected failures. */
    private final class Gate implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            var request = (HttpServletRequest) req;
            var response = (HttpServletResponse) res;
            var authorization = request.getHeader("Authorization");
            requests.add(new Request(request.getMethod(), request.getRequestURI(), request.getQueryString(), authorization));
            var hanging = hangRelease;
            if (hanging != null) {
                held.incrementAndGet();
                try {
                    hanging.await(5, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                answer(response, 503, "transient", "EHR test server was hanging; request not processed");
                return;
            }
            if (failWithStatus > 0) {
                answer(response, failWithStatus, "exception", "EHR test server answers " + failWithStatus);
                return;
            }
            var token = requiredBearerToken;
            if (token != null && !("Bearer " + token).equals(authorization)) {
                answer(response, 401, "login", "Missing or wrong bearer token");
                return;
            }
            chain.doFilter(req, res);
        }

        private void answer(HttpServletResponse response, int status, String code, String diagnostics) throws IOException {
            response.setStatus(status);
            response.setContentType("application/fhir+json");
            var body = "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\""
                    + code + "\",\"diagnostics\":\"" + diagnostics + "\"}]}";
            response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        }
    }
}
