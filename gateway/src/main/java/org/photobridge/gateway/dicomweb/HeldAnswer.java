package org.photobridge.gateway.dicomweb;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

import jakarta.ws.rs.core.StreamingOutput;

import org.photobridge.gateway.photo.MemoryBudget;

/**
 * A DICOMweb answer whose body is written while the image memory it occupies is still reserved: the
 * reservation goes back after the last byte, when the write fails (the client went away), or when
 * the exchange ends without a write ({@link #release}, from the door), whichever comes first.
 */
final class HeldAnswer implements StreamingOutput {

    /** Writes the body; called at most once. */
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private final String contentType;
    private final Body body;
    private final MemoryBudget.Reservation memory;

    /** Takes over {@code memory}: it is released when the answer was written or abandoned. */
    HeldAnswer(String contentType, Body body, MemoryBudget.Reservation memory) {
        this.contentType = Objects.requireNonNull(contentType, "contentType");
        this.body = Objects.requireNonNull(body, "body");
        this.memory = Objects.requireNonNull(memory, "memory");
    }

    String contentType() {
        return contentType;
    }

    @Override
    public void write(OutputStream out) throws IOException {
        try {
            body.writeTo(out);
            out.flush();
        } finally {
            memory.close();
        }
    }

    /** Gives the memory back if it was not already (idempotent). */
    void release() {
        memory.close();
    }
}
