package org.photobridge.gateway.pacs;

import com.pixelmed.dicom.AttributeList;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A DICOM Part 10 object to send, opened as a fresh stream from its start each time it is needed.
 * The gateway's photos come straight from the encrypted store, decrypted while they are read, so no
 * plaintext copy of a photo is written to disk while it is sent.
 */
public interface DicomSource {

    /** A new stream of the whole object; the caller closes it. */
    InputStream open() throws IOException;

    /** The object's length in bytes. */
    long length() throws IOException;

    /**
     * Checks the object's identity from its header (the meta header and the data set up to Pixel
     * Data), read by the destination from the same stream it sends; called before any byte of the
     * object goes out. The default accepts every object.
     *
     * @throws SourceRejectedException when the object is not the one this source stands for
     */
    default void checkHeader(AttributeList header) throws SourceRejectedException {
    }

    /** An object in a file (rejection notes, tests). */
    static DicomSource of(Path file) {
        return new DicomSource() {
            @Override
            public InputStream open() throws IOException {
                return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            }

            @Override
            public long length() throws IOException {
                return Files.size(file);
            }
        };
    }
}
