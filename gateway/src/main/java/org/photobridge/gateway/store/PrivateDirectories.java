package org.photobridge.gateway.store;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Creates directories only the gateway's user can enter (0700), for photo bytes in any form. */
public final class PrivateDirectories {
    private PrivateDirectories() {
    }

    public static Path create(Path directory) throws IOException {
        Files.createDirectories(directory);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        }
        return directory;
    }
}
