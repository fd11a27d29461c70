package org.photobridge.gateway.dicomweb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.photo.MemoryBudget;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * A DICOMweb answer, and the viewer's JPEG, keep their memory reserved while the body is written, so
 * the budget counts what the heap really holds while a slow client downloads; the reservation goes
 * back when the client aborts. The answers (a photo decompressed to Explicit VR Little Endian, 18 MB;
 * a 6 MB JPEG) are far more than the socket buffers between a client that stops reading and the
 * gateway.
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class HeldAnswerMemoryTest {
    private static final int WIDTH = 3000;
    private static final int HEIGHT = 2000;
    private static final long PIXEL_BYTES = (long) WIDTH * HEIGHT * 3;
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    MemoryBudget budget;

    @TestHTTPResource("/")
    URL base;

    @Test
    void reservationIsHeldWhileTheAnswerIsWrittenAndReleasedWhenTheClientAborts() throws Exception {
        String mrn = "MRN-HELD-" + UUID.randomUUID();
        ViewerPhotos.recordClinicalCareConsent(ViewerPhotos.CONSULTANT, mrn);
        ViewerPhotos.Photo photo = ViewerPhotos.uploadDermatologyPhoto(mrn, TestImages.jpeg(large()));
        awaitNothingReserved();

        assertHeldUntilTheClientAborts(photo.instancePath(), "multipart/related; type=\"application/dicom\"",
                PIXEL_BYTES);
    }

    /**
     * The viewer's full-size JPEG (the stored JPEG stream, 6 MB of noise here) stays reserved while a
     * client that stopped reading holds its write up; it used to be released before the write.
     */
    @Test
    void theViewersRenderedJpegIsHeldWhileWrittenToo() throws Exception {
        String mrn = "MRN-HELD-VIEW-" + UUID.randomUUID();
        ViewerPhotos.recordClinicalCareConsent(ViewerPhotos.CONSULTANT, mrn);
        byte[] jpeg = TestImages.jpeg(noise(3200, 2200));
        assertTrue(jpeg.length > 5_000_000, "the noise photo should compress poorly, was " + jpeg.length + " bytes");
        ViewerPhotos.Photo photo = ViewerPhotos.uploadDermatologyPhoto(mrn, jpeg);
        awaitNothingReserved();

        // The cleaned JPEG drops the upload's few metadata bytes; the answer is the stored stream.
        assertHeldUntilTheClientAborts("/api/v1/photos/" + photo.id() + "/rendered", "image/jpeg",
                jpeg.length - 64 * 1024);
    }

    /**
     * A refusal after the memory was reserved gives it back before the answer goes out: frames asked
     * for as JPEG 2000 are refused with 406 once the stored object has been read.
     */
    @Test
    void aRefusalAfterTheReservationReleasesIt() throws Exception {
        String mrn = "MRN-HELD-406-" + UUID.randomUUID();
        ViewerPhotos.recordClinicalCareConsent(ViewerPhotos.CONSULTANT, mrn);
        ViewerPhotos.Photo photo = ViewerPhotos.uploadDermatologyPhoto(mrn, TestImages.jpeg(large()));
        awaitNothingReserved();

        RestAssured.given()
                .auth().oauth2(Keycloak.token(ViewerPhotos.CONSULTANT))
                .accept("multipart/related; type=\"image/jpeg\"; transfer-syntax=1.2.840.10008.1.2.4.90")
                .get(photo.instancePath() + "/frames/1")
                .then().statusCode(406);
        assertEquals(0, budget.reservedBytes(), "the refused answer left memory reserved");
    }

    /**
     * Asks for {@code path}, reads the answer's head and the start of its body, then stops reading:
     * at least {@code expectedReserved} bytes must stay reserved while the gateway's write waits, and
     * none once the client aborts.
     */
    private void assertHeldUntilTheClientAborts(String path, String accept, long expectedReserved) throws Exception {
        try (var socket = new Socket()) {
            socket.setReceiveBufferSize(8 * 1024);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            socket.setSoTimeout((int) PATIENCE.toMillis());
            String request = "GET " + path + " HTTP/1.1\r\n"
                    + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
                    + "Authorization: Bearer " + Keycloak.token(ViewerPhotos.CONSULTANT) + "\r\n"
                    + "Accept: " + accept + "\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String head = readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            socket.getInputStream().readNBytes(16 * 1024); // the body has started; stop reading here

            long reserved = budget.reservedBytes();
            assertTrue(reserved >= expectedReserved, "while the answer is being written only " + reserved
                    + " bytes are reserved, expected at least " + expectedReserved);

            socket.setSoLinger(true, 0); // abort: the gateway's next write fails
        }
        awaitNothingReserved();
        assertEquals(0, budget.reservedBytes());
    }

    /** Uniform noise: a JPEG of it is about as large as its pixels allow. */
    private static BufferedImage noise(int width, int height) {
        var image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        new Random(17).nextBytes(((DataBufferByte) image.getRaster().getDataBuffer()).getData());
        return image;
    }

    /** A 3000 × 2000 photo that compresses small but decompresses to 18 MB. */
    private static BufferedImage large() {
        var image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Color.RED);
        g.fillRect(0, 0, WIDTH / 4, HEIGHT / 4);
        g.dispose();
        return image;
    }

    private static String readHead(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed before the answer's head: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private void awaitNothingReserved() throws InterruptedException {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (budget.reservedBytes() != 0 && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertEquals(0, budget.reservedBytes(), "memory still reserved");
    }
}
