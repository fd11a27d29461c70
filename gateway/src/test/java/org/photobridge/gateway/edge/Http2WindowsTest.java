package org.photobridge.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The HTTP/2 receive windows a client is given, read off the wire (RFC 9113: the connection preface,
 * the server's SETTINGS and its WINDOW_UPDATE for the connection): a capture client may have 1 MiB of
 * an upload in flight per stream and 8 MiB per connection, not the protocol's default 64 KiB, which
 * cost one round trip per 32 KiB of a photo (docs/performance.md, "HTTP/2 receive windows").
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class Http2WindowsTest {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int SETTINGS = 0x4;
    private static final int PING = 0x6;
    private static final int GOAWAY = 0x7;
    private static final int WINDOW_UPDATE = 0x8;
    private static final int ACK = 0x1;
    private static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    private static final int DEFAULT_WINDOW = 65_535;

    @Test
    void clearTextHttp2AnnouncesLargeStreamAndConnectionWindows() throws IOException {
        try (var socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(PREFACE);
            writeFrame(out, SETTINGS, 0, 0, new byte[0]);
            out.flush();

            var in = new DataInputStream(socket.getInputStream());
            Map<Integer, Long> settings = null;
            long connectionWindow = DEFAULT_WINDOW;
            // Frames come in order: once the answer to a PING sent after the server's SETTINGS is in,
            // whatever the server announced when the connection opened has arrived.
            boolean pong = false;
            while (!pong) {
                int length;
                try {
                    length = (in.readUnsignedShort() << 8) | in.readUnsignedByte();
                } catch (EOFException e) {
                    throw new AssertionError("the server closed the HTTP/2 connection", e);
                }
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7FFF_FFFF;
                byte[] payload = in.readNBytes(length);
                assertEquals(length, payload.length, "a frame was cut short");
                if (type == GOAWAY) {
                    throw new AssertionError("the server sent GOAWAY");
                }
                if (type == SETTINGS && (flags & ACK) == 0) {
                    settings = settings(payload);
                    writeFrame(out, SETTINGS, ACK, 0, new byte[0]);
                    writeFrame(out, PING, 0, 0, new byte[8]);
                    out.flush();
                } else if (type == PING && (flags & ACK) != 0) {
                    pong = true;
                } else if (type == WINDOW_UPDATE && stream == 0) {
                    connectionWindow += ((payload[0] & 0x7FL) << 24) | ((payload[1] & 0xFFL) << 16)
                            | ((payload[2] & 0xFFL) << 8) | (payload[3] & 0xFFL);
                }
            }
            assertNotNull(settings, "the server sent no SETTINGS");
            assertEquals(1L << 20, settings.getOrDefault(SETTINGS_INITIAL_WINDOW_SIZE, (long) DEFAULT_WINDOW),
                    "every stream's receive window (SETTINGS_INITIAL_WINDOW_SIZE)");
            assertEquals(8L << 20, connectionWindow, "the connection's receive window after the server's WINDOW_UPDATE");
        }
    }

    private static Map<Integer, Long> settings(byte[] payload) {
        Map<Integer, Long> settings = new HashMap<>();
        for (int i = 0; i + 6 <= payload.length; i += 6) {
            int id = ((payload[i] & 0xFF) << 8) | (payload[i + 1] & 0xFF);
            long value = ((payload[i + 2] & 0xFFL) << 24) | ((payload[i + 3] & 0xFFL) << 16)
                    | ((payload[i + 4] & 0xFFL) << 8) | (payload[i + 5] & 0xFFL);
            settings.put(id, value);
        }
        return settings;
    }

    private static void writeFrame(OutputStream out, int type, int flags, int stream, byte[] payload)
            throws IOException {
        out.write(new byte[] {(byte) (payload.length >> 16), (byte) (payload.length >> 8), (byte) payload.length,
            (byte) type, (byte) flags, (byte) (stream >> 24), (byte) (stream >> 16), (byte) (stream >> 8),
            (byte) stream});
        out.write(payload);
    }
}
