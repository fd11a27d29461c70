package org.photobridge.gateway;

import java.nio.file.Path;

import io.smallrye.config.ConfigMapping;

/** Where the gateway keeps its local state. */
@ConfigMapping(prefix = "photobridge.data")
public interface DataConfig {

    /** Root of local state: encrypted store (by default), audit keys and checkpoints, working files. */
    Path directory();

    /** Private (0700) working files: uploads in flight and plaintext copies during a send. */
    Path workDirectory();
}
