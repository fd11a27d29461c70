package org.photobridge.gateway.routing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import org.photobridge.gateway.store.EncryptedBlobStore;

/**
 * Where a photo's DICOM object can be read back from: the encrypted local copy while it exists,
 * otherwise a destination's DICOMweb service (WADO-RS). Used to render photos for viewers and to
 * copy patient and study attributes into rejection notes.
 */
@ApplicationScoped
public class PhotoSources {
    private static final long MAX_OBJECT_BYTES = 512L * 1024 * 1024;

    private final EncryptedBlobStore store;
    private final List<WadoRsClient> pacs = new ArrayList<>();

    @Inject
    public PhotoSources(EncryptedBlobStore store, DestinationsConfig config) {
        this.store = store;
        // Every configured destination, enabled or not: a disabled one may still hold photos.
        config.destinations().forEach((name, destination) ->
                Destinations.readBack(destination, MAX_OBJECT_BYTES).ifPresent(pacs::add));
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
     * The photo's Part 10 bytes, or empty when no source holds it any more.
     *
     * @throws Unavailable when the PACS that might hold it cannot be reached now
     */
    public Optional<byte[]> read(PhotoRecord photo, InstanceRef ref) throws Unavailable {
        if (photo.blobKey != null) {
            try {
                var out = new ByteArrayOutputStream(photo.blobBytes == null ? 1 << 16 : photo.blobBytes.intValue());
                store.decryptTo(photo.blobKey, out);
                return Optional.of(out.toByteArray());
            } catch (IOException e) {
                // Purged meanwhile, or unreadable: fall back to the PACS.
            }
        }
        String lastProblem = null;
        for (WadoRsClient client : pacs) {
            try {
                Optional<byte[]> bytes = client.fetch(ref);
                if (bytes.isPresent()) {
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
