package org.photobridge.fhir;

import java.util.List;
import java.util.OptionalLong;

/**
 * One page of search results and, when it is known, the total number of matches (for Bundle.total).
 * A search that did not count its matches knows the total only when its page reached the end.
 */
public record Page<T>(List<T> items, OptionalLong total) {

    public Page {
        items = List.copyOf(items);
    }

    public Page(List<T> items, long total) {
        this(items, OptionalLong.of(total));
    }

    /**
     * The page of a window fetched with one row more than {@code count} from {@code offset}, without a
     * count: when the window holds no extra row it reached the end, so the total is {@code offset}
     * plus what the page holds (unless the page is empty past the first: the end may lie before the
     * offset). Otherwise the total is unknown and only the page is kept.
     */
    public static <T> Page<T> probed(List<T> window, int offset, int count) {
        if (window.size() > count) {
            return new Page<>(window.subList(0, count), OptionalLong.empty());
        }
        if (window.isEmpty() && offset > 0) {
            return new Page<>(window, OptionalLong.empty());
        }
        return new Page<>(window, offset + window.size());
    }
}
