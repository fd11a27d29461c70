package org.photobridge.domain;

/** A FHIR Identifier reduced to what the gateway matches on: system and value. */
public record BusinessIdentifier(String system, String value) {
    /** The FHIR search token form {@code system|value}. */
    public String token() {
        return system + "|" + value;
    }
}
