package org.photobridge.gateway.dicomweb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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

/**
 * A DICOMweb answer keeps its memory reserved while its body is written, so the budget counts what
 * the heap really holds while a slow client downloads; the reservation goes back when the client
 * aborts. The answer is a photo decompressed to Explicit VR Little Endian (18 MB), far more than the
 * socket buffers between a client that stops reading and the gateway.
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

        try (var socket = new Socket()) {
            socket.setReceiveBufferSize(8 * 1024);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            socket.setSoTimeout((int) PATIENCE.toMillis());
            String request = "GET " + photo.instancePath() + " HTTP/1.1\r\n"
                    + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
                    + "Authorization: Bearer " + Keycloak.token(ViewerPhotos.CONSULTANT) + "\r\n"
                    + "Accept: multipart/related; type=\"application/dicom\"\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String head = readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            socket.getInputStream().readNBytes(16 * 1024); // the body has started; stop reading here

            long reserved = budget.reservedBytes();
            assertTrue(reserved >= PIXEL_BYTES, "while the " + PIXEL_BYTES + "-byte answer is being written only "
                    + reserved + " bytes are reserved");

            socket.setSoLinger(true, 0); // abort: the gateway's next write fails
        }
        awaitNothingReserved();
        assertEquals(0, budget.reservedBytes());
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
