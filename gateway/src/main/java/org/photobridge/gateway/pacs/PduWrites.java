package org.photobridge.gateway.pacs;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;

import org.jboss.logging.Logger;

import com.pixelmed.network.Association;

/**
 * One socket write per PDU instead of thirteen. PixelMed 20220618 writes the header of every P-DATA
 * PDU (PDU and PDV headers, 12 bytes) to the bare socket a byte at a time, then the fragment, then
 * flushes; with TCP_NODELAY (which the sender needs, see {@link DimseDestination}) each of those
 * bytes went out as its own TCP segment and woke the PACS for it: about 2,800 system calls and
 * segments for a 3.5 MB photo in 16 KiB PDUs. PixelMed flushes after every PDU and every other
 * message it writes (associate, release, abort), so a buffer in front of the socket that holds one
 * whole PDU changes the segments, not the protocol: each PDU leaves in one write, when PixelMed says
 * it is complete.
 */
final class PduWrites {
    private static final Logger LOG = Logger.getLogger(PduWrites.class);
    /** Above PixelMed's largest P-DATA PDU (64 KiB of fragment) plus its headers, so one PDU never bypasses the buffer. */
    static final int BUFFER_BYTES = (1 << 16) + (1 << 10);
    private static final Field ASSOCIATION_OUT = AssociationFields.of("out",
            "PDU headers go out a byte per segment");

    private PduWrites() {
    }

    /**
     * Puts a PDU-sized buffer in front of {@code association}'s socket, for what is sent from now on.
     * Returns false (and the association keeps writing to the bare socket, correctly but in small
     * segments) where PixelMed's field cannot be reached.
     */
    static boolean coalesce(Association association) {
        if (ASSOCIATION_OUT == null) {
            return false;
        }
        try {
            OutputStream out = (OutputStream) ASSOCIATION_OUT.get(association);
            if (out == null || out instanceof BufferedOutputStream) {
                return out != null;
            }
            ASSOCIATION_OUT.set(association, new BufferedOutputStream(out, BUFFER_BYTES));
            return true;
        } catch (IllegalAccessException | RuntimeException e) {
            LOG.debugf("could not buffer the association's output: %s", e);
            return false;
        }
    }
}
