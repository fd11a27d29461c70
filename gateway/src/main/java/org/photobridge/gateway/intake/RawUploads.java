package org.photobridge.gateway.intake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Raw uploads (the camera's file, GPS position and serial numbers still in it) are read into memory
 * and never written to disk ({@link MultipartUpload}). Gateways before that kept each one in
 * {@code <work-directory>/uploads} while its request ran; whatever a crash of such a gateway left
 * there is deleted at start-up, with the directory.
 */
@ApplicationScoped
public class RawUploads {
    private static final Logger LOG = Logger.getLogger(RawUploads.class);

    /** Where gateways before in-memory uploads kept raw uploads, under the work directory. */
    static final String FORMER_DIRECTORY = "uploads";

    @Inject
    @ConfigProperty(name = "photobridge.data.work-directory")
    Path workDirectory;

    void onStart(@Observes StartupEvent event) throws IOException {
        int deleted = deleteFormerDirectory(workDirectory.toAbsolutePath().resolve(FORMER_DIRECTORY));
        if (deleted > 0) {
            LOG.warnf("deleted %d raw upload(s) an earlier gateway version left in its upload directory", deleted);
        }
    }

    /** Deletes every regular file in {@code dir}, then {@code dir} if it is empty; returns how many files. */
    static int deleteFormerDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int deleted = 0;
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                try {
                    if (Files.isRegularFile(file)) {
                        Files.delete(file);
                        deleted++;
                    }
                } catch (NoSuchFileException e) {
                    // gone already
                }
            }
        }
        try (var left = Files.list(dir)) {
            if (left.findAny().isEmpty()) {
                Files.deleteIfExists(dir);
            }
        }
        return deleted;
    }
}
