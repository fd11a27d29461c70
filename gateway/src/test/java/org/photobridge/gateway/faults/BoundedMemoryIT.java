package org.photobridge.gateway.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.GatewayProcess;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.Orthanc;
import org.photobridge.gateway.testing.TestDatabase;

/**
 * The packaged gateway on {@code -Xmx1g}: (1) the whole photo flow leaves nothing in the temp
 * directory, which is an empty folder of its own; (2) 48-megapixel photos that need rotation
 * (EXIF orientation 6), uploaded concurrently, are all accepted and reach the PACS, with the peak
 * heap (from the GC log) and resident set reported. The campaign uploads 4 photos (the test run), 64 with
 * {@code -Dpbtest.campaign=long} (or {@code -Dpbtest.campaign.uploads=N}).
 */
class BoundedMemoryIT {
    private static final String SURGEON = "plastics.surgeon";
    private static final String FHIR_JSON = "application/fhir+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GC_PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    @TempDir
    Path work;

    private GatewayProcess gateway;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private GatewayProcess start(String name, Path tmp, Map<String, String> extra) throws IOException {
        Path data = work.resolve(name);
        Files.createDirectories(tmp);
        Path keyFile = GatewayProcess.newStorageKey(data.resolve("storage.key"));
        GatewayProcess.resetDatabase(TestDatabase.JDBC_URL, "photobridge", "");
        var config = GatewayProcess.baseConfig(data, keyFile);
        config.putAll(extra);
        gateway = new GatewayProcess(name, data, GatewayProcess.freePort(), config)
                .jvmOptions(List.of("-Xmx1g", "-Djava.io.tmpdir=" + tmp,
                        "-Xlog:gc:file=" + data.resolve("gc.log") + ":uptime"))
                .environment("TMPDIR", tmp.toString());
        return gateway.start();
    }

    @Test
    void photoFlowLeavesNothingInTheTempDirectory() throws Exception {
        Path tmp = work.resolve("empty-tmp");
        Files.createDirectories(tmp);
        // Files made and deleted again at once (ImageIO's disk cache deletes its file on close) leave
        // no trace for a scan afterwards: the kernel reports every entry created (inotify).
        var created = new CreatedEntries(tmp);
        start("tmpdir", tmp, Map.of());
        String mrn = "MRN-TMP-" + UUID.randomUUID();
        recordConsent(mrn);

        Map<String, byte[]> uploads = new java.util.LinkedHashMap<>();
        uploads.put("baseline.jpg", TestImages.jpeg(TestImages.scene()));
        uploads.put("progressive.jpg", TestImages.jpeg(TestImages.scene(), TestImages.Chroma.SUBSAMPLED_420, true));
        uploads.put("full444.jpg", TestImages.jpeg(TestImages.scene(), TestImages.Chroma.FULL_444, false));
        uploads.put("photo.png", TestImages.imageIoPng(TestImages.scene(), false));
        uploads.put("rotated.jpg", TestImages.jpegWithAllMetadata(TestImages.storedFor(TestImages.scene(), 6), 6));
        var accepted = new ArrayList<Map<?, ?>>();
        for (var upload : uploads.entrySet()) {
            HttpResponse<String> response = upload(upload.getValue(), upload.getKey(), mrn, "ENC-TMP");
            assertEquals(202, response.statusCode(), upload.getKey() + ": " + response.body());
            accepted.add(JSON.readValue(response.body(), Map.class));
        }
        for (Map<?, ?> photo : accepted) {
            String id = (String) photo.get("id");
            awaitStatus(id, "STORED", Duration.ofMinutes(3));
            for (String what : List.of("thumbnail", "rendered", "export?purpose=teaching")) {
                assertImage(get("/api/v1/photos/" + id + "/" + what, "image/jpeg"), id + " " + what);
            }
            String instance = "/dicomweb/studies/" + photo.get("studyInstanceUid") + "/series/"
                    + photo.get("seriesInstanceUid") + "/instances/" + photo.get("sopInstanceUid");
            assertImage(get(instance + "/rendered", "image/jpeg"), id + " DICOMweb rendered");
            assertImage(get(instance + "/thumbnail", "image/jpeg"), id + " DICOMweb thumbnail");
            HttpResponse<byte[]> retrieved = get(instance, "multipart/related; type=\"application/dicom\"");
            assertEquals(200, retrieved.statusCode(), "WADO-RS retrieve of " + id);
            // Decompressed by PixelMed for the client: another image codec that must not cache on disk.
            HttpResponse<byte[]> decompressed = get(instance, "multipart/related; type=\"application/dicom\";"
                    + " transfer-syntax=1.2.840.10008.1.2.1");
            assertEquals(200, decompressed.statusCode(), "WADO-RS retrieve of " + id + " uncompressed: "
                    + new String(decompressed.body(), StandardCharsets.UTF_8));
        }

        List<Path> files;
        try (Stream<Path> walk = Files.walk(tmp)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        try (Stream<Path> walk = Files.walk(tmp)) {
            System.out.println("TMPDIR after the flow holds: " + walk.map(tmp::relativize).toList());
        }
        List<Path> everCreated = created.close();
        System.out.println("TMPDIR entries created during the flow: " + everCreated);
        assertEquals(List.of(), files, "the gateway left files in its temp directory " + tmp);
        assertEquals(List.of(), everCreated.stream().filter(entry -> !Files.isDirectory(tmp.resolve(entry))).toList(),
                "the gateway created files (even if it deleted them again) in its temp directory " + tmp);
        assertTrue(gateway.logLinesContaining("OutOfMemoryError").isEmpty());
    }

    @Test
    void rotated48MegapixelPhotosUploadedConcurrentlyAllReachThePacsOnAOneGigabyteHeap() throws Exception {
        int uploads = Campaign.size(4, 64);
        // Alternately one of whole MCUs (turned by moving its blocks) and one whose bottom edge is half
        // an MCU (decoded, turned and encoded: the most memory a photo of this size takes).
        byte[][] photos = {rotated48Megapixels(6000), rotated48Megapixels(5992)};
        System.out.printf("CAMPAIGN photos: 8000 x 6000 and 8000 x 5992, EXIF orientation 6, %d and %d bytes%n",
                photos[0].length, photos[1].length);
        Path tmp = work.resolve("campaign-tmp");
        start("memory", tmp, Map.of());
        long pid = gateway.pid();

        var accepted = new ConcurrentLinkedQueue<String>();
        var busy = new AtomicInteger();
        var failures = new ConcurrentLinkedQueue<String>();
        Instant started = Instant.now();
        ExecutorService clients = Executors.newFixedThreadPool(uploads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < uploads; i++) {
                String mrn = "MRN-48MP-" + i + "-" + UUID.randomUUID();
                byte[] photo = photos[i % 2];
                done.add(clients.submit(() -> {
                    Instant deadline = Instant.now().plus(Duration.ofMinutes(40));
                    while (Instant.now().isBefore(deadline)) {
                        HttpResponse<String> response = upload(photo, "48mp.jpg", mrn, "ENC-48MP");
                        if (response.statusCode() == 202) {
                            accepted.add((String) JSON.readValue(response.body(), Map.class).get("sopInstanceUid"));
                            return null;
                        }
                        if (response.statusCode() != 503) {
                            failures.add("HTTP " + response.statusCode() + ": " + response.body());
                            return null;
                        }
                        // Busy: the client does what Retry-After says.
                        busy.incrementAndGet();
                        long seconds = Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
                        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                    }
                    failures.add("not accepted within 40 minutes");
                    return null;
                }));
            }
            for (Future<?> each : done) {
                each.get();
            }
        } finally {
            clients.shutdownNow();
        }
        Duration uploading = Duration.between(started, Instant.now());
        assertEquals(List.of(), List.copyOf(failures), "every upload was accepted");
        assertEquals(uploads, accepted.size());

        Instant deadline = Instant.now().plus(Duration.ofMinutes(20));
        List<String> missing = List.copyOf(accepted);
        while (!missing.isEmpty() && Instant.now().isBefore(deadline)) {
            missing = missing.stream().filter(sop -> Orthanc.instancesWithSopUid(sop).isEmpty()).toList();
            if (!missing.isEmpty()) {
                Thread.sleep(2000);
            }
        }
        long rssPeakKib = statusValue(pid, "VmHWM");
        long rssKib = statusValue(pid, "VmRSS");
        long[] heap = heapMib(gateway.dataDirectory().resolve("gc.log"));
        long heapPeakMib = heap[0];
        System.out.printf("CAMPAIGN result: %d of %d rotated 48 MP photos at Orthanc; %d answered 503 busy"
                        + " (retried after Retry-After); uploads took %d s; peak heap %d MiB before a collection,"
                        + " at most %d MiB after one (GC log, -Xmx1g); peak RSS %d MiB, RSS now %d MiB%n",
                uploads - missing.size(), uploads, busy.get(), uploading.toSeconds(), heapPeakMib, heap[1],
                rssPeakKib >> 10, rssKib >> 10);
        assertEquals(List.of(), missing, "every photo reached the PACS");
        for (String sop : accepted) {
            assertEquals(1, Orthanc.instancesWithSopUid(sop).size(), "delivered once: " + sop);
        }
        assertTrue(gateway.isAlive(), "the gateway still runs");
        assertTrue(gateway.logLinesContaining("OutOfMemoryError").isEmpty(), "no OutOfMemoryError in the log");
        assertTrue(heapPeakMib > 0 && heapPeakMib <= 1024, "peak heap " + heapPeakMib + " MiB within -Xmx1g");
    }

    // ---------------------------------------------------------------- helpers

    /** Every entry created under a directory (subdirectories included) while it is watched. */
    private static final class CreatedEntries {
        private final Path root;
        private final java.nio.file.WatchService watcher;
        private final List<Path> created = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Thread thread;

        CreatedEntries(Path root) throws IOException {
            this.root = root;
            this.watcher = root.getFileSystem().newWatchService();
            root.register(watcher, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            this.thread = new Thread(this::collect, "tmpdir-watch");
            thread.setDaemon(true);
            thread.start();
        }

        private void collect() {
            try {
                while (true) {
                    var key = watcher.take();
                    Path directory = (Path) key.watchable();
                    for (var event : key.pollEvents()) {
                        if (event.kind() == java.nio.file.StandardWatchEventKinds.OVERFLOW) {
                            created.add(Path.of("(events lost: overflow)"));
                            continue;
                        }
                        Path entry = directory.resolve((Path) event.context());
                        created.add(root.relativize(entry));
                        if (Files.isDirectory(entry)) {
                            entry.register(watcher, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
                        }
                    }
                    key.reset();
                }
            } catch (InterruptedException | java.nio.file.ClosedWatchServiceException | IOException stopped) {
                // closed
            }
        }

        /**
         * Stops watching; what was created, in order. A marker made here last is reported after
         * everything made before it (inotify keeps the order), so nothing earlier is missed.
         */
        List<Path> close() throws IOException, InterruptedException {
            Path marker = Files.createDirectory(root.resolve("watch-end-" + UUID.randomUUID()));
            Path relative = root.relativize(marker);
            Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
            while (!created.contains(relative)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("the watch on " + root + " never reported " + relative);
                }
                Thread.onSpinWait();
            }
            watcher.close();
            thread.join();
            Files.delete(marker);
            return created.stream().filter(entry -> !entry.equals(relative)).toList();
        }
    }

    /** An 8000-wide camera-like photo (gradients, shapes, sensor noise) stored landscape with orientation 6. */
    private static byte[] rotated48Megapixels(int height) throws IOException {
        var image = new BufferedImage(8000, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(200, 160, 140), 8000, height, new Color(90, 60, 50)));
        g.fillRect(0, 0, 8000, height);
        var random = new Random(48);
        for (int i = 0; i < 400; i++) {
            g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
            g.fillOval(random.nextInt(8000), random.nextInt(height), 50 + random.nextInt(600), 50 + random.nextInt(600));
        }
        g.dispose();
        byte[] samples = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (byte) Math.max(0, Math.min(255, (samples[i] & 0xFF) + random.nextInt(7) - 3));
        }
        var out = new ByteArrayOutputStream();
        var writer = TestImages.jdkJpegWriter();
        var param = writer.getDefaultWriteParam();
        param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.85f);
        try (var stream = new javax.imageio.stream.MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new javax.imageio.IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return TestImages.insertAfterSoi(out.toByteArray(), TestImages.richExif(6, true));
    }

    private void recordConsent(String mrn) throws Exception {
        String body = FhirContexts.r4().newJsonParser().encodeResourceToString(ConsentFixtures.allScopes(mrn));
        var request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/fhir/Consent"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + Keycloak.token(SURGEON))
                .header("Content-Type", FHIR_JSON).header("Accept", FHIR_JSON)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
    }

    private HttpResponse<String> upload(byte[] file, String fileName, String mrn, String encounter)
            throws IOException, InterruptedException {
        String boundary = "pbtest" + UUID.randomUUID().toString().replace("-", "");
        var body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + Uploader.metadata(mrn, encounter) + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        var request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/photos"))
                .timeout(Duration.ofMinutes(30))
                .header("Authorization", "Bearer " + Keycloak.token(SURGEON))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> get(String path, String accept) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + Keycloak.token(SURGEON)).header("Accept", accept).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void assertImage(HttpResponse<byte[]> response, String what) throws IOException {
        assertEquals(200, response.statusCode(), what + ": " + new String(response.body(), StandardCharsets.UTF_8));
        assertTrue(ImageIO.read(new ByteArrayInputStream(response.body())) != null, what + " is a decodable image");
    }

    private void awaitStatus(String id, String status, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        String last = null;
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<byte[]> response = get("/api/v1/photos/" + id, "application/json");
            last = new String(response.body(), StandardCharsets.UTF_8);
            if (response.statusCode() == 200 && status.equals(JSON.readValue(last, Map.class).get("status"))) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("photo " + id + " not " + status + " within " + timeout + "; last " + last);
    }

    /** A value in kB from /proc/{pid}/status (VmHWM: peak resident set; VmRSS: resident set now). */
    private static long statusValue(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError(field + " not in /proc/" + pid + "/status");
    }

    /**
     * From the unified GC log: the largest heap occupancy before a collection (how full the heap got)
     * and the largest after one (what was still referenced).
     */
    private static long[] heapMib(Path gcLog) throws IOException {
        long before = 0;
        long after = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_PAUSE.matcher(line);
            while (m.find()) {
                before = Math.max(before, Long.parseLong(m.group(1)));
                after = Math.max(after, Long.parseLong(m.group(2)));
            }
        }
        return new long[] {before, after};
    }
}
