package org.photobridge.fhir.audit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.photobridge.fhir.Page;

/** Test stand-in for the gateway's audit trail; remembers the pages it was asked for. */
final class InMemoryAuditSource implements AuditSource {
    private final List<AuditRecord> records = new ArrayList<>();
    final List<AuditQuery> queries = new ArrayList<>();

    InMemoryAuditSource add(AuditRecord record) {
        records.add(record);
        return this;
    }

    @Override
    public Optional<AuditRecord> read(String id) {
        return records.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    @Override
    public synchronized Page<AuditRecord> search(AuditQuery query, int offset, int count) {
        queries.add(query);
        var matching = records.stream()
                .filter(r -> query.patientIdentifier().isEmpty() || query.patientIdentifier().equals(r.patient()))
                .filter(r -> query.entity().isEmpty() || r.entities().contains(query.entity().get()))
                .filter(r -> query.agent().isEmpty() || query.agent().get().equals(r.agent()))
                .filter(r -> query.date().contains(r.recorded()))
                .filter(r -> query.actions().isEmpty() || query.actions().contains(r.action()))
                .sorted(Comparator.comparing(AuditRecord::recorded).reversed())
                .toList();
        int from = Math.min(offset, matching.size());
        int to = Math.min(from + count, matching.size());
        return new Page<>(matching.subList(from, to), matching.size());
    }
}
