package org.photobridge.gateway.edge;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.photobridge.gateway.photo.MemoryBudget;

import io.vertx.ext.web.RoutingContext;

/**
 * An answer (DICOMweb, the viewer's JPEGs) whose body is written while the image memory it occupies
 * is still reserved: the reservation goes back after the last byte, when the write fails (the client
 * went away), or when the exchange ends without a write ({@link #release}, from the door), whichever
 * comes first.
 */
public final class HeldAnswer implements StreamingOutput {

    /** Writes the body; called at most once. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private final String contentType;
    private final Body body;
    private final MemoryBudget.Reservation memory;

    /** Takes over {@code memory}: it is released when the answer was written or abandoned. */
    public HeldAnswer(String contentType, Body body, MemoryBudget.Reservation memory) {
        this.contentType = Objects.requireNonNull(contentType, "contentType");
        this.body = Objects.requireNonNull(body, "body");
        this.memory = Objects.requireNonNull(memory, "memory");
    }

    public String contentType() {
        return contentType;
    }

    /**
     * A 200 carrying this body, for the exchange it answers: should the exchange end without the
     * body being written (the client left first), its end gives the memory back.
     */
    public Response.ResponseBuilder ok(RoutingContext exchange) {
        exchange.addEndHandler(ended -> release());
        return Response.ok(this).header(HttpHeaders.CONTENT_TYPE, contentType);
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
    public void release() {
        memory.close();
    }
}
