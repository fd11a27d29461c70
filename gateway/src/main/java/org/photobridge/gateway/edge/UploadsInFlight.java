package org.photobridge.gateway.edge;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.photobridge.gateway.outbox.IntakePriority;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Counts uploads ({@code POST /api/v1/photos}) in flight on this gateway for {@link IntakePriority}:
 * from the moment the request arrives, before its body is read, until its answer has been sent or
 * its connection ended (a client that gives up mid-body is not counted for ever). Runs after the
 * edge's own refusals (request target, declared size), which never read a body.
 */
@ApplicationScoped
public class UploadsInFlight {
    static final String UPLOADS = "/api/v1/photos";

    @Inject
    IntakePriority priority;

    void register(@Observes Router router) {
        router.post(UPLOADS).order(Integer.MIN_VALUE + 3).handler(this::handle);
    }

    void handle(RoutingContext context) {
        priority.uploadArrived();
        var ended = new AtomicBoolean();
        // Called once the response is written, or on a failure or close of the connection before that.
        context.addEndHandler(result -> {
            if (ended.compareAndSet(false, true)) {
                priority.uploadEnded();
            }
        });
        context.next();
    }
}
