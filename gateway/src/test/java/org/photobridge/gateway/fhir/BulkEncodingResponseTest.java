package org.photobridge.gateway.fhir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.Test;

/**
 * The FHIR door's response writer on its own: the bytes it hands the container are the answer's
 * exact UTF-8, however the answer is cut into writes and blocks. The container here is a recording
 * of what reaches its output stream (HAPI's answers through the real Undertow are covered by every
 * FHIR test of the gateway).
 */
class BulkEncodingResponseTest {

    /** What the container received, and whether it was told to discard what it had not sent. */
    private static final class Container {
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        int resets;
        final ServletOutputStream stream = new ServletOutputStream() {
            @Override
            public void write(int b) {
                sent.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                sent.write(b, off, len);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                throw new UnsupportedOperationException();
            }
        };

        HttpServletResponse response() {
            return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "getOutputStream" -> stream;
                        case "getCharacterEncoding" -> "UTF-8";
                        case "reset", "resetBuffer" -> {
                            resets++;
                            sent.reset();
                            yield null;
                        }
                        case "flushBuffer" -> null;
                        case "isCommitted" -> false;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    @Test
    void charactersOutsideTheBasicPlaneSurviveBeingSplitBetweenBlocksAndWrites() throws IOException {
        // "é" is one char and two bytes, the camera emoji a surrogate pair and four bytes: with the three
        // shifts every block boundary falls once between the two halves of a pair.
        for (int shift = 0; shift < 3; shift++) {
            String answer = "x".repeat(shift) + "é📷".repeat(BulkEncodingResponse.BLOCK + 50) + "}";
            for (int piece : new int[] {1, 7, BulkEncodingResponse.BLOCK - 1, BulkEncodingResponse.BLOCK + 1}) {
                var container = new Container();
                PrintWriter writer = new BulkEncodingResponse(container.response()).getWriter();
                for (int at = 0; at < answer.length(); at += piece) {
                    int end = Math.min(answer.length(), at + piece);
                    if (piece == 1) {
                        writer.write(answer.charAt(at));
                    } else if (piece == 7) {
                        writer.write(answer, at, end - at);
                    } else {
                        writer.write(answer.toCharArray(), at, end - at);
                    }
                }
                writer.close();
                assertArrayEquals(answer.getBytes(StandardCharsets.UTF_8), container.sent.toByteArray(),
                        "shift " + shift + ", writes of " + piece);
            }
        }
    }

    @Test
    void aFlushOfTheWriterSendsNothingTheEndOfTheAnswerSendsItAll() throws IOException {
        var container = new Container();
        var response = new BulkEncodingResponse(container.response());
        PrintWriter writer = response.getWriter();
        // As HAPI's Jackson writer does after every value: no socket write of a few bytes each time.
        writer.write("{\"resourceType\":\"Bundle\"");
        writer.flush();
        writer.write(",\"type\":\"searchset\"");
        writer.flush();
        assertEquals(0, container.sent.size(), "nothing reaches the container before a block is full or the end");
        response.finish();
        assertEquals("{\"resourceType\":\"Bundle\",\"type\":\"searchset\"",
                container.sent.toString(StandardCharsets.UTF_8));

        writer.write("}");
        response.flushBuffer();
        assertEquals("{\"resourceType\":\"Bundle\",\"type\":\"searchset\"}",
                container.sent.toString(StandardCharsets.UTF_8), "flushBuffer() sends what is gathered");
    }

    @Test
    void aResetDiscardsWhatIsGatheredAndNotSent() throws IOException {
        var container = new Container();
        var response = new BulkEncodingResponse(container.response());
        PrintWriter writer = response.getWriter();
        writer.write("{\"resourceType\":\"Bundle\",\"entry\":[half an answer");
        response.reset();
        assertEquals(1, container.resets);
        writer.write("{\"resourceType\":\"OperationOutcome\"}");
        writer.close();
        assertEquals("{\"resourceType\":\"OperationOutcome\"}", container.sent.toString(StandardCharsets.UTF_8),
                "the characters gathered before the reset are not sent after it");
    }

    @Test
    void aResponseHandsOutItsWriterOrItsStreamNotBoth() throws IOException {
        var withWriter = new BulkEncodingResponse(new Container().response());
        PrintWriter writer = withWriter.getWriter();
        assertSame(writer, withWriter.getWriter());
        assertThrows(IllegalStateException.class, withWriter::getOutputStream);

        var container = new Container();
        var withStream = new BulkEncodingResponse(container.response());
        assertSame(container.stream, withStream.getOutputStream());
        assertThrows(IllegalStateException.class, withStream::getWriter);
    }
}
