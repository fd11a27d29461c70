package org.photobridge.gateway.dicomweb;

import java.util.Arrays;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.photobridge.gateway.access.CallerResolver;
import org.photobridge.gateway.dicomweb.QueryRetrieve.Level;
import org.photobridge.gateway.dicomweb.QueryRetrieve.Scope;
import org.photobridge.gateway.edge.HeldAnswer;
import org.photobridge.gateway.problem.ProblemException;

import io.quarkus.security.Authenticated;
import io.vertx.ext.web.RoutingContext;
import io.smallrye.common.annotation.Blocking;

/**
 * The DICOMweb door for EHR viewers (PS3.18): QIDO-RS searches and WADO-RS retrieves of the photos
 * the caller may see, so viewers open photos through the gateway and never straight from the PACS.
 * Every answer is {@code Cache-Control: no-store} ({@code edge.NoStoreForPatientData}); errors are
 * problem+json.
 */
@Path("/dicomweb")
@Authenticated
@Blocking
public class DicomWebResource {

    @Inject
    CallerResolver callers;

    @Inject
    QueryRetrieve queryRetrieve;

    @Inject
    ObjectMapper json;

    @Context
    UriInfo uri;

    @Inject
    RoutingContext routing;

    // ---------------------------------------------------------------- QIDO-RS

    @GET
    @Path("/studies")
    public Response searchStudies(@HeaderParam(HttpHeaders.ACCEPT) String accept) {
        return search(accept, Level.STUDY, Scope.all());
    }

    @GET
    @Path("/series")
    public Response searchSeries(@HeaderParam(HttpHeaders.ACCEPT) String accept) {
        return search(accept, Level.SERIES, Scope.all());
    }

    @GET
    @Path("/instances")
    public Response searchInstances(@HeaderParam(HttpHeaders.ACCEPT) String accept) {
        return search(accept, Level.INSTANCE, Scope.all());
    }

    @GET
    @Path("/studies/{study}/series")
    public Response searchSeriesOfStudy(@HeaderParam(HttpHeaders.ACCEPT) String accept,
            @PathParam("study") String study) {
        return search(accept, Level.SERIES, Scope.study(study));
    }

    @GET
    @Path("/studies/{study}/instances")
    public Response searchInstancesOfStudy(@HeaderParam(HttpHeaders.ACCEPT) String accept,
            @PathParam("study") String study) {
        return search(accept, Level.INSTANCE, Scope.study(study));
    }

    @GET
    @Path("/studies/{study}/series/{series}/instances")
    public Response searchInstancesOfSeries(@HeaderParam(HttpHeaders.ACCEPT) String accept,
            @PathParam("study") String study, @PathParam("series") String series) {
        return search(accept, Level.INSTANCE, Scope.series(study, series));
    }

    // ---------------------------------------------------------------- WADO-RS

    @GET
    @Path("/studies/{study}")
    public Response retrieveStudy(@HeaderParam(HttpHeaders.ACCEPT) String accept, @PathParam("study") String study) {
        return retrieve(accept, Scope.study(study));
    }

    @GET
    @Path("/studies/{study}/series/{series}")
    public Response retrieveSeries(@HeaderParam(HttpHeaders.ACCEPT) String accept, @PathParam("study") String study,
            @PathParam("series") String series) {
        return retrieve(accept, Scope.series(study, series));
    }

    @GET
    @Path("/studies/{study}/series/{series}/instances/{instance}")
    public Response retrieveInstance(@HeaderParam(HttpHeaders.ACCEPT) String accept,
            @PathParam("study") String study, @PathParam("series") String series,
            @PathParam("instance") String instance) {
        return retrieve(accept, Scope.instance(study, series, instance));
    }

    @GET
    @Path("/studies/{study}/series/{series}/instances/{instance}/frames/{frames}")
    public Response retrieveFrames(@HeaderParam(HttpHeaders.ACCEPT) String accept, @PathParam("study") String study,
            @PathParam("series") String series, @PathParam("instance") String instance,
            @PathParam("frames") String frames) {
        var encodings = AcceptHeader.parse(accept).frameEncodings();
        return held(queryRetrieve.frames(callers.current(), Scope.instance(study, series, instance),
                frameNumbers(frames), encodings));
    }

    @GET
    @Path("/studies/{study}/metadata")
    public Response studyMetadata(@HeaderParam(HttpHeaders.ACCEPT) String accept, @PathParam("study") String study) {
        return metadata(accept, Scope.study(study));
    }

    @GET
    @Path("/studies/{study}/series/{series}/metadata")
    public Response seriesMetadata(@HeaderParam(HttpHeaders.ACCEPT) String accept, @PathParam("study") String study,
            @PathParam("series") String series) {
        return metadata(accept, Scope.series(study, series));
    }

    @GET
    @Path("/studies/{study}/series/{series}/instances/{instance}/metadata")
    public Response instanceMetadata(@HeaderParam(HttpHeaders.ACCEPT) String accept,
            @PathParam("study") String study, @PathParam("series") String series,
            @PathParam("instance") String instance) {
        return metadata(accept, Scope.instance(study, series, instance));
    }

    @GET
    @Path("/studies/{study}/series/{series}/instances/{instance}/rendered")
    public Response rendered(@HeaderParam(HttpHeaders.ACCEPT) String accept, @PathParam("study") String study,
            @PathParam("series") String series, @PathParam("instance") String instance) {
        AcceptHeader.parse(accept).requireJpeg();
        return held(queryRetrieve.rendered(callers.current(), Scope.instance(study, series, instance), false));
    }

    @GET
    @Path("/studies/{study}/series/{series}/instances/{instance}/thumbnail")
    public Response thumbnail(@HeaderParam(HttpHeaders.ACCEPT) String accept, @PathParam("study") String study,
            @PathParam("series") String series, @PathParam("instance") String instance) {
        AcceptHeader.parse(accept).requireJpeg();
        return held(queryRetrieve.rendered(callers.current(), Scope.instance(study, series, instance), true));
    }

    // ---------------------------------------------------------------- answers

    private Response search(String accept, Level level, Scope scope) {
        AcceptHeader.parse(accept).requireDicomJson();
        QidoQuery query = QidoQuery.parse(uri.getQueryParameters(true));
        QueryRetrieve.Answer answer = queryRetrieve.query(callers.current(), level, scope, query, baseUrl());
        var response = Response.ok(encode(answer.results()), AcceptHeader.DICOM_JSON);
        for (String warning : answer.warnings()) {
            response.header("Warning", "299 photobridge \"" + warning.replace("\"", "'") + "\"");
        }
        return response.build();
    }

    private Response retrieve(String accept, Scope scope) {
        List<String> syntaxes = AcceptHeader.parse(accept).dicomTransferSyntaxes();
        return held(queryRetrieve.retrieve(callers.current(), scope, syntaxes));
    }

    private Response metadata(String accept, Scope scope) {
        AcceptHeader.parse(accept).requireDicomJson();
        return held(queryRetrieve.metadata(callers.current(), scope));
    }

    /** An answer written while its memory is reserved ({@link HeldAnswer}). */
    private Response held(HeldAnswer answer) {
        return answer.ok(routing).build();
    }

    /** A frame list as in PS3.18 10.4.1.1.6: positive numbers separated by commas. */
    static List<Integer> frameNumbers(String frames) {
        try {
            List<Integer> numbers = Arrays.stream(frames.split(",")).map(String::strip)
                    .map(Integer::valueOf).toList();
            if (numbers.isEmpty() || numbers.stream().anyMatch(n -> n < 1)) {
                throw new NumberFormatException();
            }
            return numbers;
        } catch (NumberFormatException e) {
            throw new ProblemException(400, "invalid-query", "Invalid query",
                    "frames must be frame numbers from 1, separated by commas", "frames");
        }
    }

    private byte[] encode(List<ObjectNode> datasets) {
        try {
            return json.writeValueAsBytes(datasets);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write DICOM JSON", e);
        }
    }

    /** This door's root as clients reach it, for Retrieve URL (0008,1190). */
    private String baseUrl() {
        String base = uri.getBaseUri().toString();
        return (base.endsWith("/") ? base : base + "/") + "dicomweb";
    }
}
