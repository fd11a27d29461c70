package org.photobridge.gateway.edge;

import org.photobridge.gateway.problem.ErrorBody;
import org.photobridge.gateway.problem.Problem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** Ends a Vert.x request with an edge problem in the body format of its door. */
final class EdgeResponses {

    private EdgeResponses() {
    }

    static void send(RoutingContext context, Problem problem) {
        HttpServerResponse response = context.response();
        if (response.ended()) {
            return;
        }
        ErrorBody body = ErrorBody.of(context.request().path(), problem);
        if (!response.headWritten()) {
            response.setStatusCode(body.status());
            response.headers().remove(HttpHeaders.CONTENT_LENGTH).remove(HttpHeaders.TRANSFER_ENCODING);
            response.putHeader(HttpHeaders.CONTENT_TYPE, body.contentType());
            response.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            response.putHeader("Pragma", "no-cache"); // also where NoStoreForPatientData has not run yet
        }
        response.end(Buffer.buffer(body.bytes()));
    }
}
