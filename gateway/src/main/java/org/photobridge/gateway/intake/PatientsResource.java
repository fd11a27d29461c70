package org.photobridge.gateway.intake;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.photobridge.domain.AuditAction;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.ehr.AmbiguousPatientException;
import org.photobridge.fhir.ehr.EhrException;
import org.photobridge.fhir.ehr.EhrPatient;
import org.photobridge.gateway.access.AccessPolicy;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.access.CallerResolver;
import org.photobridge.gateway.access.PhotoGate;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.consent.ConsentStore;
import org.photobridge.gateway.ehr.EhrPatients;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.problem.ProblemException;
import org.photobridge.gateway.problem.QueryParameters;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;

/**
 * Finds a patient by identifier for the capture page: in the EHR through its FHIR Patient search
 * when one is configured, otherwise from what the gateway holds (photos, consents), and lists the
 * encounters the gateway holds photos in that the caller may see.
 */
@Path("/api/v1/patients")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Blocking
public class PatientsResource {
    private static final Logger LOG = Logger.getLogger(PatientsResource.class);
    static final String NO_EHR = "no EHR is configured: the answer comes from the gateway alone, which keeps no"
            + " names or birth dates outside the encrypted photos";
    static final String EHR_DOWN = "the EHR could not be reached: the answer comes from the gateway alone, which keeps"
            + " no names or birth dates outside the encrypted photos";

    @Inject
    CallerResolver callers;

    @Inject
    EhrPatients ehr;

    @Inject
    Photos photos;

    @Inject
    ConsentStore consents;

    @Inject
    PhotoGate gate;

    @Inject
    AuditLog audit;

    public record Identifier(String system, String value) {
    }

    public record Encounter(Identifier identifier, String source, int photoCount, Instant lastPhotoAt) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PatientAnswer(Identifier identifier, String source, boolean found, String ehrReference, String name,
            String birthDate, String sex, String notice, List<Encounter> encounters) {
    }

    @GET
    public Response find(@QueryParam("identifier") String identifier) {
        Caller caller = callers.current();
        BusinessIdentifier patient = QueryParameters.identifier(identifier, "identifier", true).orElseThrow();
        var decision = AccessPolicy.patientRecords(caller);
        if (!decision.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller), Optional.of(patient), List.of(),
                    "patient lookup refused: " + decision.reason());
            throw ProblemException.forbidden("role-not-permitted", decision.reason());
        }
        List<PhotoRecord> all = photos.list(patient.system(), patient.value(), Optional.empty(), Optional.empty(), 500);
        List<Encounter> encounters = encounters(caller, all);
        var id = new Identifier(patient.system(), patient.value());
        PatientAnswer answer;
        Optional<EhrPatient> found = Optional.empty();
        String notice = null;
        boolean asked = false;
        if (ehr.client().isPresent()) {
            try {
                found = ehr.client().get().findPatient(patient);
                asked = true;
            } catch (AmbiguousPatientException e) {
                audit.record(AuditAction.PATIENT_QUERY, false, AuditLog.Agent.of(caller), Optional.of(patient),
                        List.of(), "patient lookup: the EHR has " + e.matches() + " patients with this identifier");
                throw new ProblemException(409, "ambiguous-patient", "Ambiguous patient",
                        "the EHR has more than one patient with this identifier; check the identifier system");
            } catch (EhrException e) {
                LOG.warnf("patient lookup: the EHR could not be asked now: %s", e.getClass().getSimpleName());
                notice = EHR_DOWN;
            }
        } else {
            notice = NO_EHR;
        }
        if (asked) {
            answer = new PatientAnswer(id, "ehr", found.isPresent(), found.map(EhrPatient::reference).orElse(null),
                    found.flatMap(EhrPatient::dicomName).orElse(null), found.flatMap(EhrPatient::birthDate).orElse(null),
                    found.flatMap(EhrPatient::sex).orElse(null), null, encounters);
        } else {
            boolean known = !all.isEmpty() || !consents.termsOfPatient(patient).isEmpty();
            answer = new PatientAnswer(id, "gateway", known, null, null, null, null, notice, encounters);
        }
        audit.record(AuditAction.PATIENT_QUERY, true, AuditLog.Agent.of(caller), Optional.of(patient),
                answer.ehrReference() == null ? List.of() : List.of(answer.ehrReference()),
                "patient lookup (" + answer.source() + "): " + (answer.found() ? "found" : "not found") + ", "
                        + encounters.size() + " encounters");
        return Response.ok(answer).header("Cache-Control", "no-store").build();
    }

    /** The encounters of the photos the caller may see, newest photo first. */
    private List<Encounter> encounters(Caller caller, List<PhotoRecord> all) {
        var decisions = gate.decide(caller, all, AccessPolicy.PhotoUse.STATUS);
        Map<UUID, List<PhotoRecord>> byStudy = new LinkedHashMap<>();
        for (PhotoRecord photo : all) {
            if (AccessPolicy.seesEveryDepartment(caller) || decisions.get(photo.id).permitted()) {
                byStudy.computeIfAbsent(photo.studyId, s -> new java.util.ArrayList<>()).add(photo);
            }
        }
        return byStudy.entrySet().stream().map(e -> {
            EncounterStudy study = photos.study(e.getKey());
            Instant last = e.getValue().stream().map(p -> p.createdAt).max(Comparator.naturalOrder()).orElse(null);
            return new Encounter(new Identifier(study.encounterSystem, study.encounterValue), "gateway",
                    e.getValue().size(), last);
        }).sorted(Comparator.comparing(Encounter::lastPhotoAt, Comparator.nullsLast(Comparator.reverseOrder())))
                .toList();
    }
}
