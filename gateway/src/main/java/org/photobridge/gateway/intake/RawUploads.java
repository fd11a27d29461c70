package org.photobridge.gateway.intake;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Collection;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.photobridge.gateway.store.PrivateDirectories;

import io.quarkus.runtime.StartupEvent;

/**
 * The raw uploads: the multipart files the HTTP layer writes to {@code quarkus.http.body.uploads-directory}
 * while a request runs. They are the photo as the camera made it, GPS position and camera serial
 * included, so none may outlive its request: the photo resource discards them as soon as intake is
 * done with them, successful or not, and whatever a crash left behind is swept at start-up (files
 * older than this process; a request already running in it keeps its own). The directory is 0700.
 */
@ApplicationScoped
public class RawUploads {
    private static final Logger LOG = Logger.getLogger(RawUploads.class);

    @Inject
    @ConfigProperty(name = "quarkus.http.body.uploads-directory")
    Optional<Path> directory;

    void onStart(@Observes StartupEvent event) throws IOException {
        if (directory.isEmpty()) {
            return;
        }
        Path dir = PrivateDirectories.create(directory.get().toAbsolutePath());
        int swept = sweep(dir, FileTime.fromMillis(ManagementFactory.getRuntimeMXBean().getStartTime()));
        if (swept > 0) {
            LOG.warnf("deleted %d raw upload(s) left in the upload directory by an earlier run", swept);
        }
    }

    /** Deletes every regular file in {@code dir} last modified before {@code before}; returns how many. */
    static int sweep(Path dir, FileTime before) throws IOException {
        int swept = 0;
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                try {
                    if (Files.isRegularFile(file) && Files.getLastModifiedTime(file).compareTo(before) < 0) {
                        Files.delete(file);
                        swept++;
                    }
                } catch (NoSuchFileException e) {
                    // gone already
                }
            }
        }
        return swept;
    }

    /** Deletes the raw uploads of a request now, instead of when the HTTP layer ends it. */
    public void discard(Collection<Path> uploads) {
        for (Path upload : uploads) {
            try {
                Files.deleteIfExists(upload);
            } catch (IOException e) {
                LOG.errorf("could not delete a raw upload (%s); it is swept at the next start",
                        e.getClass().getSimpleName());
            }
        }
    }
}
