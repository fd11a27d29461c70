package org.photobridge.gateway.outbox;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.photobridge.gateway.persistence.FailureNames;
import org.photobridge.gateway.persistence.WorkItem;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Runs the work queue on {@code workers} background threads of this instance. Each worker claims a
 * batch of due items, does them one by one and claims again; when nothing is due it waits until new
 * work wakes it or {@code poll-interval} passes. Other instances on the same database claim beside
 * it; the lease keeps them apart. On shutdown the workers finish the item in hand and stop.
 */
@ApplicationScoped
public class WorkRunner {
    private static final Logger LOG = Logger.getLogger(WorkRunner.class);

    @Inject
    WorkQueue queue;

    @Inject
    WorkQueueConfig config;

    @Inject
    Event<QueuePassed> passes;

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
    int httpPort;

    private final Object signal = new Object();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;
    private long wakeups;
    private String owner;

    /** Fired after a worker found nothing more due: housekeeping (purging sent bytes) may run. */
    public record QueuePassed() {
    }

    void onStart(@Observes StartupEvent event) {
        owner = config.instanceId().orElseGet(() -> hostName() + ":" + httpPort);
        int released = queue.releaseLeasesOf(owner);
        if (released > 0) {
            LOG.infof("resuming %d work items interrupted when this instance (%s) last stopped", released, owner);
        }
        running = true;
        for (int i = 0; i < Math.max(1, config.workers()); i++) {
            Thread thread = new Thread(this::work, "photobridge-work-" + i);
            thread.setDaemon(true);
            workers.add(thread);
            thread.start();
        }
    }

    /** This instance's name in leases. */
    public String owner() {
        return owner;
    }

    /** Asks the workers to look for due work now; cheap to call after every change that adds work. */
    public void wake() {
        synchronized (signal) {
            wakeups++;
            signal.notifyAll();
        }
    }

    private void work() {
        while (running) {
            long seen;
            synchronized (signal) {
                seen = wakeups;
            }
            boolean more;
            try {
                more = pass();
            } catch (RuntimeException e) {
                LOG.errorf("work queue pass failed (%s); trying again in %s", FailureNames.of(e), config.pollInterval());
                more = false;
            }
            if (!more) {
                try {
                    passes.fire(new QueuePassed());
                } catch (RuntimeException e) {
                    LOG.errorf("housekeeping after a queue pass failed: %s", FailureNames.of(e));
                }
                synchronized (signal) {
                    if (running && wakeups == seen) {
                        try {
                            signal.wait(Math.max(1, config.pollInterval().toMillis()));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }
        }
    }

    /** Claims and does one batch; true when the batch was full (more may be due). */
    private boolean pass() {
        List<WorkQueue.Claim> claims = queue.claim(owner, config.batchSize());
        for (int i = 0; i < claims.size(); i++) {
            if (!running) {
                // Stopping: hand back what this worker has not started.
                for (WorkQueue.Claim rest : claims.subList(i, claims.size())) {
                    queue.release(rest, "the gateway instance stopped before trying");
                }
                return false;
            }
            WorkItem after = queue.work(claims.get(i));
            // An EHR's refusal may quote the resource (its diagnostics): that reason is kept with the
            // item for the operator (GET /api/v1/work), not logged.
            boolean reasonLogged = after.lastError != null && after.kind != WorkItem.Kind.EHR_PUBLICATION;
            LOG.infof("%s %s%s: %s (attempt %d)%s", after.kind, after.photoId != null ? "photo " + after.photoId
                    : after.resourceType, after.destination != null ? " at " + after.destination : "", after.status,
                    after.attempts, reasonLogged ? ": " + after.lastError : "");
        }
        return claims.size() == config.batchSize();
    }

    void onStop(@Observes ShutdownEvent event) {
        shutdown();
    }

    @PreDestroy
    void shutdown() {
        running = false;
        wake();
        for (Thread thread : workers) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        workers.clear();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "photobridge";
        }
    }
}
