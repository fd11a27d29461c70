package org.photobridge.fhir;

import java.time.Instant;
import java.util.Optional;

/** A closed or open interval of instants for date searches; empty ends are unbounded. */
public record DateRange(Optional<Instant> from, Optional<Instant> to) {
    public static final DateRange ANY = new DateRange(Optional.empty(), Optional.empty());

    public boolean contains(Instant instant) {
        return from.map(f -> !instant.isBefore(f)).orElse(true) && to.map(t -> !instant.isAfter(t)).orElse(true);
    }
}
