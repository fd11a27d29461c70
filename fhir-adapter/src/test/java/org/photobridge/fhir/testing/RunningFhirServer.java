package org.photobridge.fhir.testing;

import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.photobridge.fhir.consent.PatientLinker;

/**
 * A test FHIR server a test starts with the access it wants and that is closed after each test:
 * {@code @RegisterExtension final RunningFhirServer fhir = new RunningFhirServer();}.
 */
public final class RunningFhirServer implements AfterEachCallback {

    private TestFhirServer server;

    /** Starts the server (no EHR linking, no further providers) and returns a clinician's client. */
    public FhirHttp start(RecordingAccess access) {
        server = TestFhirServer.start(PatientLinker.NONE, List.of(), access);
        return new FhirHttp(server.baseUrl(), "clinician");
    }

    public TestFhirServer server() {
        return server;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
