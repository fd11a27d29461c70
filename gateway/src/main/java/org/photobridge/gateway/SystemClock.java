package org.photobridge.gateway;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** The clock the gateway reads time from; one place, so tests and code agree. */
@ApplicationScoped
public class SystemClock {
    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }
}
