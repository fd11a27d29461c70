package org.photobridge.gateway.edge;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;
import org.photobridge.gateway.testing.TestStackProperties;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * A SMART client starts its sign-in by itself: SMART's own JavaScript library ({@code fhirclient},
 * Node adapter, no browser; gateway/src/test/node/smart-launch) is given only the FHIR base URL,
 * finds the authorize and token endpoints from our discovery, sends the user to the real Keycloak's
 * login page, exchanges the code (PKCE S256) at the token endpoint it found, and searches /fhir with
 * the token it got. The app is a public client, as a browser app would be. Node and npm must be installed; under CI (env CI set) their
 * absence fails the test instead of skipping it.
 */
@QuarkusTest
@TestProfile(EdgeTestProfile.class)
@QuarkusTestResource(TestStack.class)
class SmartClientTest {
    private static final String USER = "compliance.officer";
    /** A public SMART app registered in the test realm (see {@link KeycloakAdmin#ensureSmartAppClient}). */
    private static final String CLIENT = "photobridge-smart-test-app";
    private static final String REDIRECT = "http://127.0.0.1:8089/smart-callback";

    @Test
    void fhirclientDiscoversSignsInAndSearchesWithTheToken() throws Exception {
        Path app = installSmartApp();
        KeycloakAdmin.ensureSmartAppClient(CLIENT, REDIRECT);
        String mrn = "SMART-" + UUID.randomUUID();
        given().auth().oauth2(Keycloak.token("plastics.surgeon")).contentType("application/fhir+json")
                .body(FhirContexts.r4().newJsonParser().encodeResourceToString(ConsentFixtures.clinicalCareOnly(mrn)))
                .post("/fhir/Consent").then().statusCode(201);
        String iss = "http://127.0.0.1:" + RestAssured.port + "/fhir";

        Map<String, Object> launch = run(app, "node", "smart-launch.js", iss, CLIENT,
                "", REDIRECT, USER, KeycloakAdmin.password(USER),
                "Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "|" + mrn);

        String authorize = given().get(Keycloak.realmUrl() + "/.well-known/openid-configuration").then()
                .extract().path("authorization_endpoint");
        String authorizeUrl = (String) launch.get("authorizeUrl");
        assertTrue(authorizeUrl != null && authorizeUrl.startsWith(authorize + "?"), launch.toString());
        String query = URI.create(authorizeUrl).getQuery();
        assertTrue(query.contains("code_challenge_method=S256"), query);
        assertTrue(query.contains("aud=" + iss), query);
        assertTrue(query.contains("client_id=" + CLIENT), query);
        assertEquals(200, launch.get("loginPageStatus"), launch.toString());
        assertEquals(true, launch.get("callbackReceived"), launch.toString());
        assertEquals(true, launch.get("tokenReceived"), launch.toString());
        assertEquals("Bundle", launch.get("resourceType"), launch.toString());
        assertEquals(1, launch.get("total"), launch.toString());
    }

    /** Copies the script and its package.json under target/ and installs fhirclient there with npm. */
    private static Path installSmartApp() throws Exception {
        requireTool("node", "--version");
        requireTool("npm", "--version");
        Path source = TestStackProperties.repositoryRoot().resolve("gateway/src/test/node/smart-launch");
        Path app = TestStackProperties.repositoryRoot().resolve("gateway/target/smart-launch");
        Files.createDirectories(app);
        for (String file : List.of("package.json", "package-lock.json", "smart-launch.js")) {
            Files.copy(source.resolve(file), app.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(app.resolve("node_modules/fhirclient"))) {
            int exit = exec(app, 600, "npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts").exit();
            assertEquals(0, exit, "npm ci of fhirclient failed (see the test output)");
        }
        return app;
    }

    private static void requireTool(String... command) {
        boolean present;
        try {
            present = exec(Path.of("."), 60, command).exit() == 0;
        } catch (IOException | InterruptedException e) {
            present = false;
        }
        if (!present) {
            fail(command[0] + " is not installed; the SMART client test needs Node.js and npm (apt-get install nodejs npm)");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> run(Path app, String... command) throws Exception {
        Result result = exec(app, 180, command);
        String last = result.stdout().strip();
        last = last.substring(last.lastIndexOf('\n') + 1);
        assertEquals(0, result.exit(), "the SMART launch failed: " + last);
        return new ObjectMapper().readValue(last, Map.class);
    }

    private record Result(int exit, String stdout) {
    }

    private static Result exec(Path directory, int timeoutSeconds, String... command)
            throws IOException, InterruptedException {
        var process = new ProcessBuilder(new ArrayList<>(Arrays.asList(command))).directory(directory.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
