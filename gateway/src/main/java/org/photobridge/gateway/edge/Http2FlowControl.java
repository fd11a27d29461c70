package org.photobridge.gateway.edge;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;

/**
 * The HTTP/2 receive windows the gateway announces (RFC 9113 §6.9). Left at the protocol's default
 * of 65,535 bytes, a client may have only 64 KiB of upload in flight per connection, whatever its
 * bandwidth: one round trip per 32 KiB (the server returns credit when half of it is read), so a
 * 3.5 MB photo through 20 ms of round trip took 2.3 s (0.17 s with these windows), and concurrent
 * uploads on one connection shared those 64 KiB (docs/performance.md, "HTTP/2 receive windows").
 *
 * <p>The stream window bounds what one upload can have in flight; the gateway's request thread
 * reads the body as it comes ({@code intake.RequestBodyStream}) and returns credit as it reads, so a
 * body waiting for its turn holds at most this much beside the image memory budget, as an HTTP/1.1
 * body held back by TCP does. The connection window bounds all streams of a connection together.
 */
@ApplicationScoped
public class Http2FlowControl implements HttpServerOptionsCustomizer {

    @Inject
    EdgeConfig config;

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        apply(options);
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        apply(options);
    }

    private void apply(HttpServerOptions options) {
        Http2Settings settings = options.getInitialSettings();
        if (settings == null) {
            settings = new Http2Settings();
            options.setInitialSettings(settings);
        }
        settings.setInitialWindowSize(windowBytes(config.http2StreamWindow().asLongValue(), "stream"));
        options.setHttp2ConnectionWindowSize(windowBytes(config.http2ConnectionWindow().asLongValue(), "connection"));
    }

    /** A window the protocol allows: at least its default, at most 2^31 - 1 bytes. */
    private static int windowBytes(long bytes, String which) {
        if (bytes < Http2Settings.DEFAULT_INITIAL_WINDOW_SIZE || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("photobridge.http.http2-" + which + "-window must be between "
                    + Http2Settings.DEFAULT_INITIAL_WINDOW_SIZE + " and " + Integer.MAX_VALUE + " bytes, not " + bytes);
        }
        return (int) bytes;
    }
}
