package org.photobridge.gateway.pacs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.dicom.InstanceRef;
import org.photobridge.gateway.testing.HangingPeer;

/**
 * The one HTTP client toward a PACS, against real HTTP servers on loopback (the JDK's
 * {@code com.sun.net.httpserver}): redirects are not followed and the credentials never reach a
 * redirect's target, requests cannot leave the base URL, exchanges and answers are bounded, and
 * statuses mean the same for STOW-RS, WADO-RS and Orthanc REST.
 */
class PacsHttpClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String STUDY = "2.25.1001";
    private static final String SERIES = "2.25.1002";
    private static final String SOP = "2.25.1003";
    private static final HttpCredentials BASIC = new HttpCredentials.Basic("gateway", "s3cret-pw");
    private static final String BASIC_HEADER = BASIC.authorization().orElseThrow();

    @TempDir
    Path tmp;

    /** A request as a recording server saw it. */
    private record Seen(String method, String path, String authorization) {
    }

    /** The PACS that answers every request with a redirect to {@link #target}. */
    private HttpServer pacs;
    /** Where the redirect points: a second server, another origin, that must never be asked. */
    private HttpServer target;
    private final List<Seen> atPacs = Collections.synchronizedList(new ArrayList<>());
    private final List<Seen> atTarget = Collections.synchronizedList(new ArrayList<>());
    private volatile int redirectStatus = 302;

    @BeforeEach
    void startServers() throws IOException {
        target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/", exchange -> {
            atTarget.add(seen(exchange));
            answer(exchange, 200, "[]");
        });
        target.start();
        pacs = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pacs.createContext("/", exchange -> {
            atPacs.add(seen(exchange));
            exchange.getResponseHeaders().add("Location", targetUrl() + exchange.getRequestURI().getPath());
            answer(exchange, redirectStatus, "");
        });
        pacs.start();
    }

    @AfterEach
    void stopServers() {
        pacs.stop(0);
        target.stop(0);
    }

    private URI pacsUrl(String path) {
        return URI.create("http://127.0.0.1:" + pacs.getAddress().getPort() + path);
    }

    private String targetUrl() {
        return "http://127.0.0.1:" + target.getAddress().getPort() + "/elsewhere";
    }

    private static Seen seen(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        return new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders().getFirst("Authorization"));
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private void assertOnlyThePacsWasAskedWithTheCredentials(String method) {
        assertEquals(List.of(), atTarget, "nothing may reach the redirect's target");
        assertEquals(1, atPacs.size(), "one request, no second one after the redirect: " + atPacs);
        assertEquals(method, atPacs.get(0).method());
        assertEquals(BASIC_HEADER, atPacs.get(0).authorization(), "the configured PACS gets the credentials");
    }

    private static void assertSaysRedirectNamesNoUid(String message) {
        assertTrue(message.contains("PACS answered a redirect; redirects are not followed"), message);
        assertFalse(message.contains(SOP) || message.contains(STUDY) || message.contains("elsewhere"),
                "the reason names no UID and not the redirect's target: " + message);
    }

    // ---------------------------------------------------------------- redirects

    @Test
    void theRedirectTargetWouldBeReachedByAClientThatFollowsRedirects() throws Exception {
        // Makes sure the tests below mean something: the peer pair really redirects to a live server.
        var following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.ALWAYS).build();
        var response = following.send(HttpRequest.newBuilder(pacsUrl("/dicom-web/studies"))
                .header("Authorization", BASIC_HEADER).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertEquals(1, atTarget.size(), "a following client lands at the target");
    }

    @Test
    void stowRsDoesNotFollowARedirectAndItsCredentialsDoNotReachTheTarget() throws Exception {
        redirectStatus = 307; // would be re-POSTed, body and all, by a client that follows
        Path object = Files.write(tmp.resolve("object.dcm"), new byte[] {1, 2, 3, 4});
        var stow = new StowRsDestination(new StowRsSettings("pacs-web", pacsUrl("/dicom-web"), BASIC, TIMEOUT));

        PacsOutcome outcome = stow.deliver(object, "1.2.840.10008.5.1.4.1.1.77.1.4", SOP);

        assertInstanceOf(PacsOutcome.Failed.class, outcome, outcome.message());
        assertSaysRedirectNamesNoUid(outcome.message());
        assertTrue(outcome.message().contains("HTTP 307"), outcome.message());
        assertOnlyThePacsWasAskedWithTheCredentials("POST");
    }

    @Test
    void theStowRsProbeDoesNotFollowARedirect() {
        var stow = new StowRsDestination(new StowRsSettings("pacs-web", pacsUrl("/dicom-web"), BASIC, TIMEOUT));

        Destination.Reachability reachability = stow.check();

        assertFalse(reachability.reachable(), reachability.detail());
        assertTrue(reachability.detail().contains("redirects are not followed"), reachability.detail());
        assertOnlyThePacsWasAskedWithTheCredentials("GET");
    }

    @Test
    void wadoRsDoesNotFollowARedirectAndItsCredentialsDoNotReachTheTarget() {
        redirectStatus = 301;
        var wado = new WadoRsClient(pacsUrl("/dicom-web"), BASIC, TIMEOUT, 1 << 20);

        var refused = assertThrows(WadoRsException.Refused.class, () -> wado.fetch(STUDY, SERIES, SOP));

        assertEquals(301, refused.status());
        assertSaysRedirectNamesNoUid(refused.getMessage());
        assertOnlyThePacsWasAskedWithTheCredentials("GET");
    }

    @Test
    void orthancRestDoesNotFollowARedirectAndItsCredentialsDoNotReachTheTarget() {
        redirectStatus = 308;
        var deleter = new OrthancDeleter(new OrthancRestSettings("pacs-test", pacsUrl(""), BASIC, TIMEOUT));

        PacsOutcome outcome = deleter.deleteAll(List.of(new InstanceRef(STUDY, SERIES, "1.2.3", SOP)));

        assertInstanceOf(PacsOutcome.Failed.class, outcome, outcome.message());
        assertSaysRedirectNamesNoUid(outcome.message());
        assertOnlyThePacsWasAskedWithTheCredentials("POST");
    }

    // ---------------------------------------------------------------- requests stay below the base URL

    @Test
    void aRequestCannotLeaveTheBaseUrl() {
        var client = new PacsHttpClient(pacsUrl("/dicom-web/"), BASIC, TIMEOUT, TIMEOUT);

        for (String path : List.of("//127.0.0.2/x", "studies", "/../tools/reset", "/studies/./x", "/a\\b")) {
            assertThrows(IllegalArgumentException.class, () -> client.get(path, "*/*", 10), path);
        }
        assertEquals(List.of(), atPacs, "nothing was sent");
        assertEquals(pacsUrl("/dicom-web"), client.baseUrl());
    }

    @Test
    void credentialsInTheBaseUrlAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new PacsHttpClient(
                URI.create("http://user:pw@127.0.0.1:1/dicom-web"), BASIC, TIMEOUT, TIMEOUT));
        assertFalse(e.getMessage().contains("pw"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PacsHttpClient(URI.create("ftp://127.0.0.1/x"), BASIC,
                TIMEOUT, TIMEOUT));
    }

    // ---------------------------------------------------------------- bounds

    @Test
    void aServerThatNeverAnswersIsUnreachableAfterTheTimeout() {
        try (var hanging = HangingPeer.start()) {
            var client = new PacsHttpClient(URI.create("http://127.0.0.1:" + hanging.port() + "/dicom-web"),
                    BASIC, TIMEOUT, Duration.ofMillis(500));
            long started = System.nanoTime();

            var e = assertThrows(PacsHttpClient.Unreachable.class, () -> client.get("/studies", "*/*", 100));

            assertTrue(e.reason().startsWith("no response within 500 ms"), e.reason());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "bounded by the timeout");
            assertInstanceOf(PacsOutcome.Retry.class, e.outcome("here"));
        }
    }

    @Test
    void anAnswerWhoseBodyStallsIsUnreachableAfterTheTimeout() throws Exception {
        var release = new CountDownLatch(1);
        pacs.removeContext("/");
        pacs.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write(new byte[10]);
            exchange.getResponseBody().flush();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        var client = new PacsHttpClient(pacsUrl("/dicom-web"), BASIC, TIMEOUT, Duration.ofMillis(700));
        long started = System.nanoTime();
        try {
            var e = assertThrows(PacsHttpClient.Unreachable.class, () -> client.get("/studies", "*/*", 10_000));

            assertTrue(e.reason().startsWith("no response within 700 ms"), e.reason());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "bounded by the timeout");
        } finally {
            release.countDown();
        }
    }

    @Test
    void answersAreReadOnlyUpToTheirBound() throws Exception {
        byte[] big = new byte[5000];
        java.util.Arrays.fill(big, (byte) 'x');
        pacs.removeContext("/");
        pacs.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            int status = exchange.getRequestURI().getPath().endsWith("/error") ? 500 : 200;
            exchange.sendResponseHeaders(status, big.length);
            exchange.getResponseBody().write(big);
            exchange.close();
        });
        var client = new PacsHttpClient(pacsUrl("/dicom-web"), BASIC, TIMEOUT, TIMEOUT);

        PacsHttpClient.Response cut = client.get("/studies", "*/*", 100);
        PacsHttpClient.Response whole = client.get("/studies", "*/*", big.length);

        assertTrue(cut.truncated());
        assertEquals(100, cut.body().length);
        assertFalse(whole.truncated());
        assertArrayEquals(big, whole.body());
        assertEquals(200, whole.status());
    }

    @Test
    void aClosedPortIsUnreachableAsConnectionRefused() throws Exception {
        var client = new PacsHttpClient(URI.create("http://127.0.0.1:" + OrthancTestPeer.unusedPort()), BASIC,
                TIMEOUT, TIMEOUT);

        var e = assertThrows(PacsHttpClient.Unreachable.class, () -> client.delete("/instances/x", 100));

        assertTrue(e.reason().contains("connection refused"), e.reason());
    }

    // ---------------------------------------------------------------- what statuses mean

    @Test
    void statusesMeanTheSameForEveryCaller() {
        for (int code : new int[] {300, 301, 302, 303, 307, 308}) {
            var failure = PacsHttpClient.failure(code, Optional.empty());
            assertFalse(failure.retryable(), String.valueOf(code));
            assertTrue(failure.reason().contains("redirects are not followed") && failure.reason().contains("" + code),
                    failure.reason());
        }
        for (int code : new int[] {400, 401, 403, 404, 405, 406, 410, 413, 415, 422}) {
            var failure = PacsHttpClient.failure(code, Optional.empty());
            assertFalse(failure.retryable(), String.valueOf(code));
            assertTrue(failure.reason().contains("HTTP " + code), failure.reason());
            assertInstanceOf(PacsOutcome.Failed.class, failure.outcome("where"));
        }
        assertTrue(PacsHttpClient.failure(401, Optional.empty()).reason().contains("credentials rejected"));
        assertTrue(PacsHttpClient.failure(404, Optional.empty()).reason().contains("base URL"));
        for (int code : new int[] {408, 425, 429, 500, 502, 503, 504}) {
            var failure = PacsHttpClient.failure(code, Optional.of("120"));
            assertTrue(failure.retryable(), String.valueOf(code));
            assertTrue(failure.reason().contains("Retry-After 120"), failure.reason());
            PacsOutcome outcome = failure.outcome("where");
            assertInstanceOf(PacsOutcome.Retry.class, outcome);
            assertTrue(outcome.message().startsWith("where: ") && outcome.message().endsWith("; will retry"),
                    outcome.message());
        }
    }

    @Test
    void noCredentialsMeansNoAuthorizationHeader() throws Exception {
        redirectStatus = 404;
        var client = new PacsHttpClient(pacsUrl("/dicom-web"), new HttpCredentials.None(), TIMEOUT, TIMEOUT);

        assertEquals(404, client.get("/studies", "*/*", 100).status());

        assertNull(atPacs.get(0).authorization());
        assertEquals("/dicom-web/studies", atPacs.get(0).path());
    }
}
