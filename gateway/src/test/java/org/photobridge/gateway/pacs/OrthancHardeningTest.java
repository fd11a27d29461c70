package org.photobridge.gateway.pacs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local/test Orthanc is no open door to the photos it holds: it listens on loopback only, its
 * REST API and DICOMweb need credentials, it refuses associations that call another AE title or come
 * from any AE but the gateway's, and a stored instance is never replaced.
 */
class OrthancHardeningTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static DimseDestination dimse(OrthancTestPeer peer, String callingAeTitle) {
        return new DimseDestination(new DimseSettings("pacs-test", peer.host(), peer.dicomPort(), peer.aeTitle(),
                callingAeTitle, TIMEOUT, TIMEOUT));
    }

    // ---------------------------------------------------------------- REST

    @Test
    void restAndDicomWebAnswer401WithoutCredentialsOrWithAWrongPassword() throws Exception {
        var peer = OrthancTestPeer.require();
        for (String path : List.of("/system", "/instances", "/tools/find", "/dicom-web/studies", "/app/explorer.html")) {
            var anonymous = HTTP.send(HttpRequest.newBuilder(peer.httpBase().resolve(path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anonymous.statusCode(), "GET " + path + " without credentials");

            var wrong = HTTP.send(HttpRequest.newBuilder(peer.httpBase().resolve(path))
                    .header("Authorization", basic(peer.username(), peer.password() + "x")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, wrong.statusCode(), "GET " + path + " with a wrong password");
        }
        assertEquals(200, peer.get("/system").statusCode(), "with the generated credentials");
    }

    @Test
    void stowRsWithoutCredentialsIsFailedAsCredentialsRejectedAndStoresNothing() throws Exception {
        var peer = OrthancTestPeer.require();
        var photo = OrthancTestPeer.makePhoto(tmp);
        var anonymous = new StowRsDestination(new StowRsSettings("pacs-web", peer.dicomWebBase(), TIMEOUT));

        PacsOutcome outcome = anonymous.deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

        assertInstanceOf(PacsOutcome.Failed.class, outcome, outcome.message());
        assertTrue(outcome.message().contains("credentials rejected"), outcome.message());
        assertFalse(anonymous.check().reachable(), "the probe without credentials is refused too");
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isEmpty(), "nothing stored");
    }

    // ---------------------------------------------------------------- DIMSE: who may associate

    @Test
    void storeFromAForeignCallingAeTitleIsRefusedWhileTheGatewaysDeliveryLands() throws Exception {
        var peer = OrthancTestPeer.require();
        OrthancTestPeer.requireTool("storescu");
        var photo = OrthancTestPeer.makePhoto(tmp);

        StoreScu intruder = storescu(peer, "INTRUDER", peer.aeTitle(), photo.file());

        assertNotEquals(0, intruder.exitCode(), intruder.output());
        assertTrue(intruder.output().contains("Calling AE Title Not Recognized"), intruder.output());
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isEmpty(), "nothing stored from INTRUDER");

        // The same association refused to the gateway when it is configured with another AE title:
        // a permanent rejection, so the delivery fails (no endless retries) and says why.
        PacsOutcome misconfigured = dimse(peer, "INTRUDER").deliver(photo.file(), photo.sopClassUid(),
                photo.sopInstanceUid());
        assertInstanceOf(PacsOutcome.Failed.class, misconfigured, misconfigured.message());
        assertTrue(misconfigured.message().toLowerCase().contains("calling ae title"), misconfigured.message());
        assertFalse(dimse(peer, "INTRUDER").check().reachable(), "not even C-ECHO for an unknown AE");
        // AE titles are compared exactly: the gateway's title in another case is someone else.
        StoreScu lowerCase = storescu(peer, peer.callingAeTitle().toLowerCase(), peer.aeTitle(), photo.file());
        assertNotEquals(0, lowerCase.exitCode(), lowerCase.output());
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isEmpty(), "nothing stored");

        PacsOutcome gateway = dimse(peer, peer.callingAeTitle()).deliver(photo.file(), photo.sopClassUid(),
                photo.sopInstanceUid());

        assertInstanceOf(PacsOutcome.Done.class, gateway, gateway.message());
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isPresent(), "the gateway's photo landed");
        assertTrue(dimse(peer, peer.callingAeTitle()).check().reachable(), "the gateway's C-ECHO works");
    }

    @Test
    void associationCallingAnotherAeTitleThanOrthancsIsRefused() throws Exception {
        var peer = OrthancTestPeer.require();
        OrthancTestPeer.requireTool("storescu");
        var photo = OrthancTestPeer.makePhoto(tmp);

        StoreScu wrongCalled = storescu(peer, peer.callingAeTitle(), "WRONG", photo.file());

        assertNotEquals(0, wrongCalled.exitCode(), wrongCalled.output());
        assertTrue(wrongCalled.output().contains("Called AE Title Not Recognized"), wrongCalled.output());
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isEmpty(), "nothing stored");

        StoreScu right = storescu(peer, peer.callingAeTitle(), peer.aeTitle(), photo.file());
        assertEquals(0, right.exitCode(), right.output());
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isPresent(), "stored when called by its own title");
    }

    // ---------------------------------------------------------------- network exposure

    @Test
    void bothPortsListenOnLoopbackOnly() throws Exception {
        var peer = OrthancTestPeer.require();
        OrthancTestPeer.requireTool("ss");
        for (int port : new int[] {peer.dicomPort(), peer.httpPort()}) {
            List<String> listeners = listeningSockets(port);
            assertFalse(listeners.isEmpty(), "ss shows nothing listening on port " + port);
            for (String line : listeners) {
                String local = line.trim().split("\\s+")[3];
                String address = local.substring(0, local.lastIndexOf(':'));
                assertTrue(List.of("127.0.0.1", "[::1]").contains(address), "port " + port + " exposed: " + line);
                assertTrue(line.contains("\"Orthanc\""), "port " + port + " belongs to Orthanc: " + line);
            }
        }
        // And from the outside in: the machine's own non-loopback addresses are refused.
        for (InetAddress address : nonLoopbackAddresses()) {
            for (int port : new int[] {peer.dicomPort(), peer.httpPort()}) {
                assertThrows(ConnectException.class, () -> {
                    try (var socket = new Socket()) {
                        socket.connect(new InetSocketAddress(address, port), 3000);
                    }
                }, "Orthanc must not accept connections on " + address.getHostAddress() + ":" + port);
            }
        }
    }

    // ---------------------------------------------------------------- no overwrite

    @Test
    void aSecondObjectWithTheSameSopInstanceUidDoesNotReplaceTheStoredOne() throws Exception {
        var peer = OrthancTestPeer.require();
        OrthancTestPeer.requireTool("dcmodify");
        var first = OrthancTestPeer.makePhoto(tmp, "PatientName=First^Stored", "PatientID=PB-OVW-1");
        Path second = tmp.resolve("second.dcm");
        Files.copy(first.file(), second, StandardCopyOption.REPLACE_EXISTING);
        run(List.of("dcmodify", "-nb", "-i", "PatientName=Second^Replacement", "-i", "StudyDescription=not the original",
                second.toString()));
        var dimse = dimse(peer, peer.callingAeTitle());

        PacsOutcome stored = dimse.deliver(first.file(), first.sopClassUid(), first.sopInstanceUid());
        assertInstanceOf(PacsOutcome.Done.class, stored, stored.message());
        String id = peer.instanceId(first.sopInstanceUid()).orElseThrow();
        byte[] original = file(peer, id);

        // A re-sent identical instance (the gateway retrying after a lost answer) is accepted as stored.
        PacsOutcome resent = dimse.deliver(first.file(), first.sopClassUid(), first.sopInstanceUid());
        assertInstanceOf(PacsOutcome.Done.class, resent, resent.message());
        // Other content under the same UID, by C-STORE and by STOW-RS: answered with success, dropped.
        PacsOutcome byDimse = dimse.deliver(second, first.sopClassUid(), first.sopInstanceUid());
        assertInstanceOf(PacsOutcome.Done.class, byDimse, byDimse.message());
        PacsOutcome byStow = new StowRsDestination(new StowRsSettings("pacs-web", peer.dicomWebBase(),
                peer.credentials(), TIMEOUT)).deliver(second, first.sopClassUid(), first.sopInstanceUid());
        assertInstanceOf(PacsOutcome.Done.class, byStow, byStow.message());

        assertEquals(id, peer.instanceId(first.sopInstanceUid()).orElseThrow(), "still the same instance");
        assertArrayEquals(original, file(peer, id), "the stored object is unchanged");
        var tags = JSON.readTree(peer.get("/instances/" + id + "/simplified-tags").body());
        assertEquals("First^Stored", tags.path("PatientName").asText());
        var found = JSON.readTree(peer.send(peer.request("/tools/find").POST(HttpRequest.BodyPublishers.ofString(
                "{\"Level\":\"Instance\",\"Query\":{\"SOPInstanceUID\":\"" + first.sopInstanceUid() + "\"}}")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(1, found.size(), "one instance with this SOP Instance UID: " + found);
    }

    // ---------------------------------------------------------------- helpers

    private record StoreScu(int exitCode, String output) {
    }

    /** dcmtk storescu of one JPEG Baseline file (-xy proposes it as it is). */
    private static StoreScu storescu(OrthancTestPeer peer, String callingAe, String calledAe, Path file) throws Exception {
        Process process = new ProcessBuilder("storescu", "-xy", "-aet", callingAe, "-aec", calledAe,
                peer.host(), String.valueOf(peer.dicomPort()), file.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "storescu did not finish: " + output);
        return new StoreScu(process.exitValue(), output);
    }

    /** Lines of {@code ss -ltnpH} for sockets listening on this TCP port. */
    private static List<String> listeningSockets(int port) throws Exception {
        Process process = new ProcessBuilder("ss", "-ltnpH", "sport = :" + port).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0, "ss failed: " + output);
        return output.lines().filter(line -> !line.isBlank()).toList();
    }

    private static List<InetAddress> nonLoopbackAddresses() throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    addresses.add(address);
                }
            }
        }
        return addresses;
    }

    private static byte[] file(OrthancTestPeer peer, String orthancId) throws Exception {
        var response = peer.send(peer.request("/instances/" + orthancId + "/file").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    private static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0,
                String.join(" ", command) + " failed: " + output);
    }
}
