package org.photobridge.gateway;

import java.io.IOException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.photobridge.gateway.store.PrivateDirectories;

import io.quarkus.runtime.StartupEvent;

/**
 * Makes the local state directory private (0700) at start-up: it holds encrypted photos, the audit
 * keys and, briefly, plaintext working files.
 */
@ApplicationScoped
public class DataDirectories {

    void onStart(@Observes StartupEvent event, DataConfig data) throws IOException {
        PrivateDirectories.create(data.directory().toAbsolutePath());
        PrivateDirectories.create(data.workDirectory().toAbsolutePath());
    }
}
