package org.photobridge.fhir;

import java.util.List;

/** One page of search results and the total number of matches (for Bundle.total). */
public record Page<T>(List<T> items, long total) {
}
