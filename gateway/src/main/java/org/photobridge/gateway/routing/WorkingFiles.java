package org.photobridge.gateway.routing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.photobridge.gateway.DataConfig;
import org.photobridge.gateway.store.PrivateDirectories;

import io.quarkus.runtime.StartupEvent;

/**
 * The private (0700) directory where a DICOM object lives in plaintext only while it is being sent
 * (and rejection notes while they are). Whatever a crash left there is deleted at start-up.
 */
@ApplicationScoped
public class WorkingFiles {
    private static final Logger LOG = Logger.getLogger(WorkingFiles.class);

    @Inject
    DataConfig data;

    private volatile Path directory;

    void onStart(@Observes StartupEvent event) throws IOException {
        directory();
    }

    private Path directory() throws IOException {
        Path dir = directory;
        if (dir == null) {
            synchronized (this) {
                if (directory == null) {
                    Path created = PrivateDirectories.create(data.workDirectory().toAbsolutePath().resolve("outgoing"));
                    // Plaintext left by a crash mid-send must not outlive the process that wrote it.
                    try (var leftovers = Files.list(created)) {
                        for (Path file : leftovers.toList()) {
                            Files.deleteIfExists(file);
                        }
                    }
                    directory = created;
                }
                dir = directory;
            }
        }
        return dir;
    }

    /** A fresh file name in the private directory (the file is not created). */
    public Path newFile() throws IOException {
        return directory().resolve(UUID.randomUUID() + ".dcm");
    }

    public void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.errorf("could not delete a plaintext working file: %s", e.getMessage());
            }
        }
    }
}
