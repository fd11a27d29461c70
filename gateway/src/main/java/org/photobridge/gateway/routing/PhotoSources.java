package org.photobridge.gateway.routing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.photobridge.gateway.dicom.InstanceRef;
import org.photobridge.gateway.pacs.Destinations;
import org.photobridge.gateway.pacs.DestinationsConfig;
import org.photobridge.gateway.pacs.WadoRsClient;
import org.photobridge.gateway.pacs.WadoRsException;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.store.BlobContexts;
import org.photobridge.gateway.store.DecryptionFailedException;
import org.photobridge.gateway.store.EncryptedBlobStore;
import org.photobridge.gateway.store.StoreUnavailableException;

/**
 * Where a photo's DICOM object can be read back from: the encrypted local copy while it exists,
 * otherwise a destination's DICOMweb service (WADO-RS). Used to render photos for viewers and to
 * copy patient and study attributes into rejection notes.
 */
@ApplicationScoped
public class PhotoSources {
    private static final long MAX_OBJECT_BYTES = 512L * 1024 * 1024;
    /** What an object whose size was not recorded is assumed to be, for its fetch limit and its memory reservation. */
    public static final long UNKNOWN_OBJECT_BYTES = 64L << 20;
    /** What a PACS may add to an object it hands back (its own meta information header). */
    private static final long FETCH_SLACK_BYTES = 1L << 20;

    private final EncryptedBlobStore store;
    private final PhotoIntegrity integrity;
    private final List<WadoRsClient> pacs = new ArrayList<>();

    @Inject
    public PhotoSources(EncryptedBlobStore store, PhotoIntegrity integrity, DestinationsConfig config) {
        this.store = store;
        this.integrity = integrity;
        // Every configured destination, enabled or not: a disabled one may still hold photos.
        config.destinations().forEach((name, destination) ->
                Destinations.readBack(name, destination, MAX_OBJECT_BYTES).ifPresent(pacs::add));
    }

    /**
     * The largest object a PACS may answer for {@code photo}: its recorded size with room for a
     * rewritten meta header, or {@link #UNKNOWN_OBJECT_BYTES} of an object of unknown
     * size. Callers reserve memory from that figure, so a PACS cannot make the gateway hold more.
     */
    static long fetchLimit(PhotoRecord photo) {
        if (photo.blobBytes == null || photo.blobBytes < 1) {
            return UNKNOWN_OBJECT_BYTES;
        }
        return Math.min(MAX_OBJECT_BYTES, photo.blobBytes + FETCH_SLACK_BYTES);
    }

    /** The decrypted copy in one array: exactly sized from the recorded length, so no second copy is made. */
    private static final class OneCopy extends ByteArrayOutputStream {
        OneCopy(int expected) {
            super(expected);
        }

        byte[] bytes() {
            return count == buf.length ? buf : toByteArray();
        }
    }

    /** Thrown when no source could answer now; worth trying again later. */
    public static class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message);
        }
    }

    /** The photo's Part 10 bytes for serving it; a {@link PhotoNotReadableException} when they cannot be had. */
    public byte[] require(PhotoRecord photo, InstanceRef ref) {
        try {
            return read(photo, ref).orElseThrow(() -> new PhotoNotReadableException(
                    PhotoNotReadableException.Reason.NOT_HELD,
                    "the photo is no longer held by the gateway and no configured PACS returned it"));
        } catch (Unavailable e) {
            throw new PhotoNotReadableException(PhotoNotReadableException.Reason.PACS_UNREACHABLE,
                    "the gateway no longer holds the photo and the PACS cannot be reached now; try again later");
        }
    }

    /**
     * The photo's Part 10 bytes, or empty when no source holds it any more. Whatever the source, the
     * object's SOP Instance UID and Patient ID are checked against the photo's row first; a local copy
     * that fails decryption or a source that answers with another object raises a security alert and
     * a {@link PhotoNotReadableException} of reason INTEGRITY, never a fallback to another source.
     *
     * @throws Unavailable when the PACS that might hold it cannot be reached now
     */
    public Optional<byte[]> read(PhotoRecord photo, InstanceRef ref) throws Unavailable {
        if (photo.blobKey != null) {
            byte[] local = null;
            try {
                var out = new OneCopy(photo.blobBytes == null ? 1 << 16 : photo.blobBytes.intValue());
                store.decryptTo(photo.blobKey, BlobContexts.photo(photo.id), out);
                local = out.bytes();
            } catch (NoSuchFileException e) {
                // Purged since the row was read: the PACS holds it now.
            } catch (DecryptionFailedException e) {
                throw integrity.alert(photo, "the encrypted local copy failed decryption: " + e.getMessage());
            } catch (IOException e) {
                throw new StoreUnavailableException("the photo store could not be read: " + e.getMessage(), e);
            }
            if (local != null) {
                integrity.check(photo, local, "the encrypted local copy");
                return Optional.of(local);
            }
        }
        String lastProblem = null;
        for (WadoRsClient client : pacs) {
            try {
                Optional<byte[]> bytes = client.fetch(ref, fetchLimit(photo));
                if (bytes.isPresent()) {
                    integrity.check(photo, bytes.get(), "a PACS (WADO-RS)");
                    return bytes;
                }
            } catch (WadoRsException e) {
                lastProblem = e.getMessage();
            }
        }
        if (lastProblem != null) {
            throw new Unavailable(lastProblem);
        }
        return Optional.empty();
    }
}
