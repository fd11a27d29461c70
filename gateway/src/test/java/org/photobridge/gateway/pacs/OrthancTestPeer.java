package org.photobridge.gateway.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * The real Orthanc the PACS-side tests (here and in routing) talk to, and the DICOM objects they send it. Orthanc's coordinates
 * come from system properties {@code orthanc.dicom-port}, {@code orthanc.http-port},
 * {@code orthanc.ae-title}, {@code orthanc.calling-ae-title}, {@code orthanc.username},
 * {@code orthanc.password}, or else from {@code target/test-stack/test-stack.properties} found in the
 * working directory or one of its parents (written by {@code deploy/local/test-stack.sh}).
 *
 * <p>The test stack's Orthanc is hardened: REST and DICOMweb need {@link #credentials()}, and it takes
 * associations only when called {@link #aeTitle()} by {@link #callingAeTitle()}.
 */
public record OrthancTestPeer(String host, int dicomPort, int httpPort, String aeTitle, String callingAeTitle,
        String username, String password) {

    public static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    public static final String VL_PHOTOGRAPHIC = "1.2.840.10008.5.1.4.1.1.77.1.4";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * The configured Orthanc. Without one the calling test fails with the reason: a missing Orthanc
     * must never pass silently.
     */
    public static OrthancTestPeer require() {
        Optional<OrthancTestPeer> peer = locate();
        String reason = "No Orthanc configured: set -Dorthanc.dicom-port/-Dorthanc.http-port/-Dorthanc.username/"
                + "-Dorthanc.password or run deploy/local/test-stack.sh to write target/test-stack/test-stack.properties";
        if (peer.isEmpty()) {
            fail(reason);
        }
        return peer.get();
    }

    /**
     * Checks that a command-line tool the test needs is on the PATH, and fails the test without it.
     */
    public static void requireTool(String tool) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                found = true;
                break;
            }
        }
        String reason = tool + " is not installed (deploy/local/test-stack.sh installs the test stack's Debian packages)";
        if (!found) {
            fail(reason);
        }
    }

    public static Optional<OrthancTestPeer> locate() {
        Properties props = new Properties();
        Path file = findStackProperties();
        if (file != null) {
            try (InputStream in = Files.newInputStream(file)) {
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        String dicom = System.getProperty("orthanc.dicom-port", props.getProperty("orthanc.dicom-port"));
        String http = System.getProperty("orthanc.http-port", props.getProperty("orthanc.http-port"));
        String aet = System.getProperty("orthanc.ae-title", props.getProperty("orthanc.ae-title", "ORTHANC"));
        String callingAet = System.getProperty("orthanc.calling-ae-title",
                props.getProperty("orthanc.calling-ae-title", "PHOTOBRIDGE"));
        String host = System.getProperty("orthanc.host", props.getProperty("orthanc.host", "127.0.0.1"));
        String username = System.getProperty("orthanc.username", props.getProperty("orthanc.username"));
        String password = System.getProperty("orthanc.password", props.getProperty("orthanc.password"));
        if (dicom == null || http == null || username == null || password == null) {
            return Optional.empty();
        }
        return Optional.of(new OrthancTestPeer(host, Integer.parseInt(dicom.trim()), Integer.parseInt(http.trim()),
                aet.trim(), callingAet.trim(), username, password));
    }

    @Override
    public String toString() {
        return "OrthancTestPeer[" + host + ", DICOM " + dicomPort + ", HTTP " + httpPort + ", " + callingAeTitle + " -> "
                + aeTitle + ", user " + username + "]";
    }

    private static Path findStackProperties() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("target/test-stack/test-stack.properties");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    public URI httpBase() {
        return URI.create("http://" + host + ":" + httpPort);
    }

    public URI dicomWebBase() {
        return URI.create("http://" + host + ":" + httpPort + "/dicom-web");
    }

    /** Orthanc's REST user, as the gateway's destinations are configured with it. */
    public HttpCredentials credentials() {
        return new HttpCredentials.Basic(username, password);
    }

    /** A request to Orthanc's REST API (a path like {@code /tools/find}) that carries the credentials. */
    public HttpRequest.Builder request(String path) {
        String basic = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(httpBase().resolve(path)).header("Authorization", "Basic " + basic);
    }

    /**
     * Sends a request to Orthanc; the test's queries only read (GET, /tools/find, /tools/lookup), so one
     * that fails on a pooled connection Orthanc dropped (another test restarted it) is sent once more.
     */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) throws IOException, InterruptedException {
        try {
            return HTTP.send(request, body);
        } catch (IOException staleConnection) {
            return HTTP.send(request, body);
        }
    }

    /** GET on Orthanc's REST API; returns status and body. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Orthanc's own id of the instance with this SOP Instance UID, if Orthanc holds it. */
    public Optional<String> instanceId(String sopInstanceUid) throws IOException, InterruptedException {
        var response = send(request("/tools/lookup")
                .POST(HttpRequest.BodyPublishers.ofString(sopInstanceUid)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), "Orthanc /tools/lookup");
        for (JsonNode hit : JSON.readTree(response.body())) {
            if ("Instance".equals(hit.path("Type").asText())) {
                return Optional.of(hit.path("ID").asText());
            }
        }
        return Optional.empty();
    }

    /** The transfer syntax Orthanc stored the instance in. */
    public String storedTransferSyntax(String orthancId) throws IOException, InterruptedException {
        var response = get("/instances/" + orthancId + "/metadata/TransferSyntax");
        assertEquals(200, response.statusCode(), "Orthanc TransferSyntax metadata");
        return response.body().trim();
    }

    /** A DICOM object made by the test: its file and the UIDs from its meta header. */
    public record TestObject(Path file, String sopClassUid, String sopInstanceUid, String transferSyntaxUid,
            String studyUid, String seriesUid) {
    }

    /**
     * Writes a small JPEG with ImageIO and wraps it with dcmtk's img2dcm as a VL Photographic Image
     * (JPEG Baseline, fresh UIDs). {@code keyValues} are extra img2dcm {@code -k} assignments.
     */
    public static TestObject makePhoto(Path dir, String... keyValues) throws Exception {
        Path jpeg = Files.createTempFile(dir, "photo", ".jpg");
        var image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | 0x80);
            }
        }
        ImageIO.write(image, "jpg", jpeg.toFile());
        Path dicom = Files.createTempFile(dir, "photo", ".dcm");
        List<String> command = new ArrayList<>(List.of("img2dcm", "-vlp"));
        for (String kv : keyValues) {
            command.add("-k");
            command.add(kv);
        }
        command.add(jpeg.toString());
        command.add(dicom.toString());
        run(command);
        return describe(dicom);
    }

    /** The same photo decompressed to Explicit VR Little Endian with dcmtk's dcmdjpeg. */
    public static TestObject decompressed(Path dir, TestObject photo) throws Exception {
        Path out = Files.createTempFile(dir, "plain", ".dcm");
        run(List.of("dcmdjpeg", "+te", photo.file().toString(), out.toString()));
        return describe(out);
    }

    /** The same object relabelled with another SOP Class UID (meta header updated too), via dcmodify. */
    public static TestObject withSopClass(TestObject photo, String sopClassUid) throws Exception {
        run(List.of("dcmodify", "-nb", "-m", "(0008,0016)=" + sopClassUid, photo.file().toString()));
        return describe(photo.file());
    }

    public static TestObject describe(Path dicom) throws Exception {
        var list = new AttributeList();
        try (var in = new DicomInputStream(dicom.toFile())) {
            list.read(in, TagFromName.PixelData);
        }
        return new TestObject(dicom,
                Attribute.getSingleStringValueOrNull(list, TagFromName.MediaStorageSOPClassUID),
                Attribute.getSingleStringValueOrNull(list, TagFromName.MediaStorageSOPInstanceUID),
                Attribute.getSingleStringValueOrNull(list, TagFromName.TransferSyntaxUID),
                Attribute.getSingleStringValueOrNull(list, TagFromName.StudyInstanceUID),
                Attribute.getSingleStringValueOrNull(list, TagFromName.SeriesInstanceUID));
    }

    /** A loopback port nothing listens on (bound and released by the test). */
    public static int unusedPort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
