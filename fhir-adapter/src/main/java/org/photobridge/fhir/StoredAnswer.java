package org.photobridge.fhir;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * A search page's resource whose answer JSON was made from its stored JSON as text, without HAPI
 * parsing it and encoding it again (docs/performance.md, issue 10: the two took over a third of the
 * FHIR door's CPU for a page of Consents). It travels through HAPI's paging as a placeholder of the
 * right type that carries only its id and entry metadata; {@link AnswerParser} writes the text
 * where the resource goes. Whatever would write the placeholder any other way (XML, {@code _summary},
 * {@code _elements}, {@code _pretty}, an entry the page does not build itself) first puts the whole
 * resource back, built by HAPI as before ({@link #materialize}), so an answer is never short of
 * anything.
 *
 * @param json the resource as it is answered, compact JSON: what HAPI would write for it (for JSON HAPI
 *             stored, byte for byte; inside elements, members keep their stored order)
 * @param whole builds the same resource as a HAPI model, for every other way of writing it
 */
public record StoredAnswer(String json, Supplier<? extends IBaseResource> whole) {

    private static final String KEY = StoredAnswer.class.getName();
    private static final LongAdder WRITTEN = new LongAdder();

    public StoredAnswer {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(whole, "whole");
    }

    /** Puts this answer on {@code placeholder} (a resource with its id and entry metadata set). */
    public <T extends Resource> T attachTo(T placeholder) {
        placeholder.setUserData(KEY, this);
        return placeholder;
    }

    /** The stored answer a resource stands for, if it is a placeholder. */
    public static Optional<StoredAnswer> of(IBaseResource resource) {
        return resource instanceof Resource r && r.getUserData(KEY) instanceof StoredAnswer answer
                ? Optional.of(answer)
                : Optional.empty();
    }

    /** How many answers this JVM has written as their stored text (not built by HAPI) since it started. */
    public static long writtenAsStored() {
        return WRITTEN.sum();
    }

    static void countWritten(int answers) {
        WRITTEN.add(answers);
    }

    /** Whether any entry of the bundle is a placeholder. */
    static boolean anyIn(Bundle bundle) {
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            if (entry.hasResource() && of(entry.getResource()).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** Replaces every placeholder of the bundle by its whole resource (entries keep what the factory set). */
    static void materialize(Bundle bundle) {
        List<Bundle.BundleEntryComponent> entries = bundle.getEntry();
        for (Bundle.BundleEntryComponent entry : entries) {
            if (!entry.hasResource()) {
                continue;
            }
            of(entry.getResource()).ifPresent(answer -> entry.setResource((Resource) answer.whole().get()));
        }
    }
}
