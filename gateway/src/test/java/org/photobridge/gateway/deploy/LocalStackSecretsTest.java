package org.photobridge.gateway.deploy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.testing.TestStackProperties;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.restassured.http.ContentType;

/**
 * The local stack's scripts hand secrets to the tools they run through files, stdin or the
 * environment, never as arguments, which {@code ps} shows to every user of the machine. The test runs
 * {@code keycloak.sh start} and {@code orthanc.sh start} on the test stack (they keep the running
 * servers and reconcile their configuration: admin login, client secret, every demo user's password,
 * one of which the test has changed so the script must reset it) under {@code strace}, which records
 * the arguments of every program they start, and looks for the secrets among them.
 */
class LocalStackSecretsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @SuppressWarnings("unchecked")
    void scriptsNeverPutSecretsOnACommandLine() throws Exception {
        Path root = TestStackProperties.repositoryRoot();
        Path state = root.resolve("target/test-stack");
        Path keycloakState = state.resolve("keycloak");
        Path credentials = Path.of(TestStackProperties.value("keycloak.credentials-file"));
        String keycloakPort = TestStackProperties.value("keycloak.url").replaceAll(".*:", "");

        // A demo user whose password no longer works: the script must set it again (a request body).
        Map<String, String> passwords = JSON.readValue(Files.readString(credentials), Map.class);
        changePassword("wound.nurse", "changed-" + System.nanoTime());

        List<String> secrets = new ArrayList<>(passwords.values());
        secrets.add(TestStackProperties.value("keycloak.admin-password"));
        secrets.add(TestStackProperties.value("keycloak.client-secret"));
        secrets.add(TestStackProperties.value("orthanc.password"));

        List<String> commandLines = new ArrayList<>();
        commandLines.addAll(traced(root, "deploy/local/keycloak.sh", "start", keycloakPort, keycloakState.toString(),
                credentials.toString()));
        commandLines.addAll(traced(root, "deploy/local/orthanc.sh", "start",
                TestStackProperties.value("orthanc.dicom-port"), TestStackProperties.value("orthanc.http-port"),
                TestStackProperties.value("orthanc.state-dir")));

        assertTrue(commandLines.stream().anyMatch(line -> line.contains("reset-password")),
                "the script set the changed password again (else this test saw no request body)");
        assertTrue(commandLines.stream().filter(line -> line.contains("\"curl\"")).count() > 5,
                "the scripts' curl calls were seen");
        List<String> leaks = new ArrayList<>();
        for (String line : commandLines) {
            for (String secret : secrets) {
                if (line.contains(secret)) {
                    leaks.add(line.replace(secret, "<SECRET>"));
                }
            }
            if (line.contains("Bearer ey")) {
                leaks.add(line.replaceAll("Bearer [A-Za-z0-9._-]+", "Bearer <TOKEN>"));
            }
        }
        assertEquals(List.of(), leaks, "command lines that carry a secret");
        // And the reset worked: the stored password logs in again.
        given().contentType("application/x-www-form-urlencoded").formParam("grant_type", "password")
                .formParam("client_id", "photobridge-cli").formParam("username", "wound.nurse")
                .formParam("password", passwords.get("wound.nurse"))
                .post(TestStackProperties.value("keycloak.auth-server-url") + "/protocol/openid-connect/token")
                .then().statusCode(200);
    }

    /** Runs a script under strace; the argument lists of every program it started. */
    private static List<String> traced(Path root, String... command) throws IOException, InterruptedException {
        requireStrace();
        Path trace = Files.createTempFile("execve", ".log");
        Path output = Files.createTempFile("script", ".log");
        try {
            var cmd = new ArrayList<>(List.of("strace", "-f", "-qq", "-s", "65536", "-e", "trace=execve", "-o",
                    trace.toString()));
            cmd.add(root.resolve(command[0]).toString());
            cmd.addAll(List.of(command).subList(1, command.length));
            Process process = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                fail(command[0] + " did not finish: " + Files.readString(output));
            }
            assertEquals(0, process.exitValue(), command[0] + ": " + Files.readString(output));
            return Files.readAllLines(trace).stream().filter(line -> line.contains("execve(")).toList();
        } finally {
            Files.deleteIfExists(trace);
            Files.deleteIfExists(output);
        }
    }

    private static void requireStrace() {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, "strace"))) {
                return;
            }
        }
        fail("strace is needed to watch the scripts' command lines: apt-get install -y strace");
    }

    private static void changePassword(String user, String password) {
        String admin = given().contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "password").formParam("client_id", "admin-cli")
                .formParam("username", TestStackProperties.value("keycloak.admin-username"))
                .formParam("password", TestStackProperties.value("keycloak.admin-password"))
                .post(TestStackProperties.value("keycloak.url") + "/realms/master/protocol/openid-connect/token")
                .then().statusCode(200).extract().path("access_token");
        String base = TestStackProperties.value("keycloak.url") + "/admin/realms/"
                + TestStackProperties.value("keycloak.realm");
        String id = given().auth().oauth2(admin).queryParam("username", user).queryParam("exact", true)
                .get(base + "/users").then().statusCode(200).extract().path("[0].id");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("type", "password", "value", password, "temporary", false))
                .put(base + "/users/" + id + "/reset-password").then().statusCode(204);
    }
}
