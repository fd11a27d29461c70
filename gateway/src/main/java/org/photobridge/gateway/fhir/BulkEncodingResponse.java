package org.photobridge.gateway.fhir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * A response whose writer gathers an answer into blocks, encodes each at once and hands the servlet's
 * output stream whole byte arrays, and that sends nothing when the writer is merely flushed.
 *
 * <p>HAPI writes every FHIR answer through {@link #getWriter()} with Jackson, which flushes its writer
 * after every string value it writes ({@code SerializationFeature.FLUSH_AFTER_WRITE_VALUE}). On
 * Undertow's own writer each of those flushes became a socket write of a few bytes, and every character
 * was stored into a Netty buffer by a call of its own: in a profile of the consent search benchmark at
 * concurrency 8 the writes and flushes took about a quarter of the request threads' CPU
 * (docs/performance.md, benchmark 4). Here a block goes out when it is full, when the writer is closed,
 * when {@link #flushBuffer()} is called, or at {@link #finish()} after the request; FHIR answers are
 * whole documents, nothing waits for a part of one.
 *
 * <p>{@link #reset()} and {@link #resetBuffer()} discard the gathered characters with whatever the
 * container has not sent yet (HAPI resets an uncommitted answer that fails while being written). As the
 * servlet specification asks, a response hands out its writer or its output stream, not both.
 */
final class BulkEncodingResponse extends HttpServletResponseWrapper {

    static final int BLOCK = 8192;

    private BlockWriter blocks;
    private PrintWriter writer;
    private boolean streamHandedOut;

    BulkEncodingResponse(HttpServletResponse response) {
        super(response);
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) {
            if (streamHandedOut) {
                throw new IllegalStateException("getOutputStream() has already been called on this response");
            }
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
            blocks = new BlockWriter(charset);
            writer = new PrintWriter(blocks, false);
        }
        return writer;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (writer != null) {
            throw new IllegalStateException("getWriter() has already been called on this response");
        }
        streamHandedOut = true;
        return super.getOutputStream();
    }

    @Override
    public void flushBuffer() throws IOException {
        if (blocks != null) {
            blocks.drain(true);
        }
        super.flushBuffer();
    }

    /** Sends what the writer has gathered and not sent yet; called once the servlet has answered. */
    void finish() throws IOException {
        if (blocks != null) {
            blocks.drain(true);
        }
    }

    @Override
    public void resetBuffer() {
        discardPending();
        super.resetBuffer();
    }

    @Override
    public void reset() {
        discardPending();
        super.reset();
    }

    private void discardPending() {
        if (blocks != null) {
            blocks.discard();
        }
    }

    /** Characters gathered into blocks, each encoded at once and written as one array. */
    private final class BlockWriter extends Writer {
        private final Charset charset;
        private final char[] block = new char[BLOCK];
        private int length;
        private ServletOutputStream out;

        BlockWriter(Charset charset) {
            this.charset = charset;
        }

        @Override
        public void write(char[] chars, int offset, int count) throws IOException {
            while (count > 0) {
                int n = Math.min(count, BLOCK - length);
                System.arraycopy(chars, offset, block, length, n);
                length += n;
                offset += n;
                count -= n;
                if (length == BLOCK) {
                    drain(false);
                }
            }
        }

        @Override
        public void write(int c) throws IOException {
            block[length++] = (char) c;
            if (length == BLOCK) {
                drain(false);
            }
        }

        /**
         * Encodes and writes what is gathered. Unless {@code all}, a high surrogate at the end stays
         * for the next block, so a pair split between two writes is encoded as one character.
         */
        void drain(boolean all) throws IOException {
            int n = length;
            if (!all && n > 0 && Character.isHighSurrogate(block[n - 1])) {
                n--;
            }
            if (n == 0) {
                return;
            }
            byte[] bytes = new String(block, 0, n).getBytes(charset);
            if (out == null) {
                out = BulkEncodingResponse.super.getOutputStream();
            }
            out.write(bytes);
            System.arraycopy(block, n, block, 0, length - n);
            length -= n;
        }

        void discard() {
            length = 0;
        }

        /** Sends nothing: Jackson flushes after every value (see the class comment). */
        @Override
        public void flush() {
        }

        @Override
        public void close() throws IOException {
            drain(true);
            if (out == null) {
                out = BulkEncodingResponse.super.getOutputStream();
            }
            out.close();
        }
    }
}
