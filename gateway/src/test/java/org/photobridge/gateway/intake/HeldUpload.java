package org.photobridge.gateway.intake;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.photobridge.gateway.testing.Keycloak;

import io.restassured.RestAssured;

/**
 * An upload the test keeps in flight: the request line, headers and the first part of a multipart
 * body declared much longer are sent, the rest never; {@link #close()} drops the connection
 * mid-body, as a phone losing its network does.
 */
final class HeldUpload implements AutoCloseable {
    private static final String BOUNDARY = "held-upload-boundary";
    private static final int DECLARED_LENGTH = 8 * 1024 * 1024;

    private final Socket socket;

    private HeldUpload(Socket socket) {
        this.socket = socket;
    }

    /** Starts an upload as {@code user} and leaves it half-sent. */
    static HeldUpload start(String user) {
        String head = "POST /api/v1/photos HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + RestAssured.port + "\r\n"
                + "Authorization: Bearer " + Keycloak.token(user) + "\r\n"
                + "Content-Type: multipart/form-data; boundary=" + BOUNDARY + "\r\n"
                + "Content-Length: " + DECLARED_LENGTH + "\r\n\r\n"
                + "--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"held.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n";
        byte[] firstBytes = new byte[64 * 1024];
        Arrays.fill(firstBytes, (byte) 0x5a);
        firstBytes[0] = (byte) 0xff;
        firstBytes[1] = (byte) 0xd8;
        try {
            var socket = new Socket("127.0.0.1", RestAssured.port);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(firstBytes);
            out.flush();
            return new HeldUpload(socket);
        } catch (IOException e) {
            throw new IllegalStateException("could not start the held upload", e);
        }
    }

    /** Drops the connection mid-body. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closed already
        }
    }
}
