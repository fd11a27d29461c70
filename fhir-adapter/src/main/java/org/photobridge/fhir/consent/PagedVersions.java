package org.photobridge.fhir.consent;

import java.util.Date;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.InstantType;
import org.photobridge.fhir.Page;
import org.photobridge.fhir.StoredVersion;

import ca.uhn.fhir.rest.api.server.IBundleProvider;

/**
 * One page of stored versions as HAPI's offset paging wants it: the page the request asked for
 * ({@code _offset}, {@code _count}) and the total when it is known, so HAPI builds next/previous links
 * that need no server-side state (any gateway replica can serve them). An unknown total leaves
 * Bundle.total out, and HAPI then offers a next link after every non-empty page.
 */
final class PagedVersions implements IBundleProvider {

    /** Fetches one window of results, with their total when it is known. */
    interface Window {
        Page<StoredVersion> fetch(int offset, int count);
    }

    private final Window window;
    private final Function<StoredVersion, IBaseResource> toResource;
    private final int offset;
    private final int pageSize;
    private final InstantType published = InstantType.now();
    private Page<StoredVersion> page;
    private Consumer<List<StoredVersion>> onServed = served -> { };

    PagedVersions(Window window, Function<StoredVersion, IBaseResource> toResource, int offset, int pageSize) {
        this.window = window;
        this.toResource = toResource;
        this.offset = offset;
        this.pageSize = pageSize;
    }

    /**
     * Called with what a page actually returned, each time one is served (for the audit trail): after
     * its resources are built, before HAPI writes the answer; if it throws, the request fails.
     */
    PagedVersions onServed(Consumer<List<StoredVersion>> listener) {
        this.onServed = listener;
        return this;
    }

    private Page<StoredVersion> page() {
        if (page == null) {
            page = window.fetch(offset, pageSize);
        }
        return page;
    }

    @Override
    public Integer size() {
        var total = page().total();
        return total.isPresent() ? (int) Math.min(Integer.MAX_VALUE, total.getAsLong()) : null;
    }

    /** Indices are relative to this page: HAPI asks for (0, n) in offset mode. */
    @Override
    public List<IBaseResource> getResources(int fromIndex, int toIndex) {
        List<StoredVersion> items = page().items();
        int from = Math.min(Math.max(0, fromIndex), items.size());
        int to = Math.min(Math.max(from, toIndex), items.size());
        List<StoredVersion> served = items.subList(from, to);
        // Built first: a page that cannot be built (a stored form that fails its integrity check) is not
        // audited as served; the entry is still committed before the answer is sent.
        List<IBaseResource> resources = served.stream().map(toResource).toList();
        onServed.accept(served);
        return resources;
    }

    @Override
    public Integer getCurrentPageOffset() {
        return offset;
    }

    @Override
    public Integer getCurrentPageSize() {
        return pageSize;
    }

    @Override
    public IPrimitiveType<Date> getPublished() {
        return published;
    }

    @Override
    public String getUuid() {
        return null;
    }

    @Override
    public Integer preferredPageSize() {
        return pageSize;
    }
}
