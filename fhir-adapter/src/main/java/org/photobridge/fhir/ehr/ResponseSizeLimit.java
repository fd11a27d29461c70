package org.photobridge.fhir.ehr;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import org.apache.http.HttpEntity;
import org.apache.http.HttpResponse;
import org.apache.http.entity.HttpEntityWrapper;

import ca.uhn.fhir.rest.client.api.IClientInterceptor;
import ca.uhn.fhir.rest.client.api.IHttpRequest;
import ca.uhn.fhir.rest.client.api.IHttpResponse;

/**
 * Bounds what the EHR client reads of an answer: one that declares a larger Content-Length is refused
 * before its body is read, one without (chunked) is cut off as soon as it passes the bound; either
 * way {@link TooLarge}, and the connection is dropped rather than drained. HAPI would otherwise read
 * whatever the EHR sends into memory, as a String, before parsing it.
 */
final class ResponseSizeLimit implements IClientInterceptor {

    /** An EHR answer larger than the client reads. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long maxBytes) {
            super("the EHR's answer is larger than " + maxBytes + " bytes");
        }
    }

    private final long maxBytes;

    ResponseSizeLimit(long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    @Override
    public void interceptRequest(IHttpRequest request) {
        // Nothing to bound on the way out.
    }

    @Override
    public void interceptResponse(IHttpResponse response) throws IOException {
        if (!(response.getResponse() instanceof HttpResponse apache) || apache.getEntity() == null) {
            return;
        }
        HttpEntity entity = apache.getEntity();
        if (entity.getContentLength() > maxBytes) {
            throw new TooLarge(maxBytes);
        }
        apache.setEntity(new HttpEntityWrapper(entity) {
            @Override
            public InputStream getContent() throws IOException {
                return new Bounded(super.getContent(), maxBytes);
            }
        });
    }

    /** Counts what is read and fails past the bound. */
    private static final class Bounded extends FilterInputStream {
        private final long maxBytes;
        private long count;

        Bounded(InputStream in, long maxBytes) {
            super(in);
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            counted(skipped);
            return skipped;
        }

        private void counted(long n) throws TooLarge {
            count += n;
            if (count > maxBytes) {
                throw new TooLarge(maxBytes);
            }
        }
    }
}
