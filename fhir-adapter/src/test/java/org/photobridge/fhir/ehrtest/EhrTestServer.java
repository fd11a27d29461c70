package org.photobridge.fhir.ehrtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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
 *     assertEquals(1, ehr.consents().size());
 * }
 * </pre>
 */
public final class EhrTestServer implements AutoCloseable {

    /** One request as the EHR saw it. */
    public record Request(String method, String path, String query, String authorization) {
        /** e.g. "PUT Consent" for PUT /fhir/Consent?identifier=... */
        public String operation() {
            var resource = path.startsWith("/fhir/") ? path.substring("/fhir/".length()) : path;
            int slash = resource.indexOf('/');
            return method + " " + (slash < 0 ? resource : resource.substring(0, slash));
        }
    }

    private final EhrProviders.PatientProvider patients = new EhrProviders.PatientProvider();
    private final EhrProviders.ConsentProvider consents = new EhrProviders.ConsentProvider();
    private final EhrProviders.ImagingStudyProvider studies = new EhrProviders.ImagingStudyProvider();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final JettyHost host;
    private volatile String requiredBearerToken;
    private volatile int failWithStatus;

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

    /** The EHR comes back on the same port, answering normally again (clears {@link #failWith}). */
    public void resume() {
        failWithStatus = 0;
        if (host.isPaused()) {
            host.resume();
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

    public void clearRequests() {
        requests.clear();
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
