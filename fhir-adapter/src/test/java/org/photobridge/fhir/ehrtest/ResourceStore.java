package org.photobridge.fhir.ehrtest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;

/** The EHR stand-in's in-memory storage of one resource type: current versions, numbered ids. */
final class ResourceStore<T extends DomainResource> {

    private final String type;
    private final Function<T, List<Identifier>> identifiers;
    private final Map<String, T> current = new LinkedHashMap<>();
    private long nextId = 1;

    ResourceStore(String type, Function<T, List<Identifier>> identifiers) {
        this.type = type;
        this.identifiers = identifiers;
    }

    @SuppressWarnings("unchecked")
    synchronized MethodOutcome create(T resource) {
        var id = String.valueOf(nextId++);
        var stored = (T) resource.copy();
        stamp(stored, id, 1);
        current.put(id, stored);
        return outcome(stored, true);
    }

    @SuppressWarnings("unchecked")
    synchronized T read(IdType id) {
        var found = current.get(id.getIdPart());
        if (found == null) {
            throw new ResourceNotFoundException(id);
        }
        return (T) found.copy();
    }

    /** Update by id, or conditional update: 0 matches → create, 1 → update it, more → 412. */
    synchronized MethodOutcome update(IdType id, T resource, String conditionalUrl) {
        String targetId;
        if (conditionalUrl != null) {
            var matches = matches(conditionIdentifier(conditionalUrl));
            if (matches.size() > 1) {
                throw new PreconditionFailedException("Conditional update matched " + matches.size() + " " + type
                        + " resources");
            }
            if (matches.isEmpty()) {
                return create(resource);
            }
            targetId = matches.get(0);
        } else if (id != null && id.hasIdPart()) {
            targetId = id.getIdPart();
            if (!current.containsKey(targetId)) {
                throw new ResourceNotFoundException(id); // no client-assigned ids in this EHR
            }
        } else {
            throw new InvalidRequestException("Update needs an id or a conditional URL");
        }
        long version = Long.parseLong(current.get(targetId).getMeta().getVersionId()) + 1;
        @SuppressWarnings("unchecked")
        var stored = (T) resource.copy();
        stamp(stored, targetId, version);
        current.put(targetId, stored);
        return outcome(stored, false);
    }

    synchronized List<T> search(TokenParam identifier) {
        var result = new ArrayList<T>();
        for (var resource : current.values()) {
            if (identifier == null || hasIdentifier(resource, identifier.getSystem(), identifier.getValue())) {
                @SuppressWarnings("unchecked")
                var copy = (T) resource.copy();
                result.add(copy);
            }
        }
        return result;
    }

    synchronized List<T> all() {
        return search(null);
    }

    private List<String> matches(TokenParam identifier) {
        return current.entrySet().stream()
                .filter(e -> hasIdentifier(e.getValue(), identifier.getSystem(), identifier.getValue()))
                .map(Map.Entry::getKey).toList();
    }

    private boolean hasIdentifier(T resource, String system, String value) {
        return identifiers.apply(resource).stream().anyMatch(i ->
                (system == null || system.isEmpty() || system.equals(i.getSystem())) && value.equals(i.getValue()));
    }

    private TokenParam conditionIdentifier(String conditionalUrl) {
        int question = conditionalUrl.indexOf('?');
        var query = question < 0 ? conditionalUrl : conditionalUrl.substring(question + 1);
        // Result parameters such as _format say nothing about which resource is meant.
        var pairs = Arrays.stream(query.split("&")).filter(p -> !p.startsWith("_")).toList();
        if (pairs.size() != 1 || !pairs.get(0).startsWith("identifier=")) {
            throw new InvalidRequestException("This EHR supports conditional updates on identifier only");
        }
        var token = URLDecoder.decode(pairs.get(0).substring("identifier=".length()), StandardCharsets.UTF_8);
        int bar = token.indexOf('|');
        return bar < 0 ? new TokenParam(null, token) : new TokenParam(token.substring(0, bar), token.substring(bar + 1));
    }

    private void stamp(T resource, String id, long version) {
        resource.setId(new IdType(type, id, String.valueOf(version)));
        resource.getMeta().setVersionId(String.valueOf(version));
        resource.getMeta().setLastUpdatedElement(InstantType.now());
    }

    private MethodOutcome outcome(T stored, boolean created) {
        var outcome = new MethodOutcome(stored.getIdElement().copy());
        outcome.setCreated(created);
        outcome.setResource(stored.copy());
        return outcome;
    }
}
