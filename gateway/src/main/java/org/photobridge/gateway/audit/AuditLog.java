package org.photobridge.gateway.audit;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.Page;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.audit.AuditQuery;
import org.photobridge.fhir.audit.AuditRecord;
import org.photobridge.fhir.audit.AuditSource;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.persistence.AuditEntries;
import org.photobridge.gateway.persistence.AuditEntry;

/**
 * The tamper-evident audit trail. Every entry carries an HMAC-SHA256, under a key kept outside the
 * database, of its content and of the entry before it, so editing, deleting or reordering an entry
 * breaks the chain; signed checkpoints of the head, kept outside the database, reveal entries removed
 * from the end ({@link #verify()}, docs/security.md). Entries join the caller's transaction when it has
 * one (an audited change and its entry commit together); otherwise they are group-committed by
 * {@link AuditAppender}, durable before {@link #record} returns.
 */
@ApplicationScoped
public class AuditLog implements AuditSource {
    /** The agent name of actions the gateway takes by itself (withdrawal effects, deliveries). */
    public static final String GATEWAY = "photobridge";

    @Inject
    AuditEntries entries;

    @Inject
    AuditAppender appender;

    @Inject
    TransactionSynchronizationRegistry transactions;

    @Inject
    ChainVerifier verifier;

    /** Who did something, as audited. */
    public record Agent(String subject, String name, Set<String> roles) {
        public static final Agent SYSTEM = new Agent(GATEWAY, "PhotoBridge gateway", Set.of());

        public static Agent of(Caller caller) {
            return new Agent(caller.subject(), caller.username(), caller.roles());
        }
    }

    /**
     * Appends an entry. Inside a transaction it joins it: the audited change and its entry commit
     * together, and the chain's head stays locked until then. Without one (reads, searches, refusals)
     * the entry is written by the {@link AuditAppender}'s writer together with those of concurrent
     * callers; this returns once it is committed.
     */
    public AuditRecord record(AuditAction action, boolean success, Agent agent, Optional<BusinessIdentifier> patient,
            List<String> entities, String detail) {
        var entry = new AuditEntry();
        entry.id = UUID.randomUUID().toString();
        entry.action = action.name();
        entry.success = success;
        entry.agent = agent.subject();
        entry.agentName = agent.name();
        entry.agentRoles = String.join(",", new TreeSet<>(agent.roles()));
        entry.patientSystem = patient.map(BusinessIdentifier::system).orElse(null);
        entry.patientValue = patient.map(BusinessIdentifier::value).orElse(null);
        entry.entities = String.join(" ", entities);
        entry.detail = detail.length() > 1000 ? detail.substring(0, 1000) : detail;
        boolean inTransaction = transactions.getTransactionStatus() != Status.STATUS_NO_TRANSACTION;
        return toRecord(inTransaction ? appender.appendInTransaction(entry) : appender.appendDurably(entry));
    }

    /**
     * Verifies every entry against the key, the head and the newest signed checkpoint, now; the result
     * names the first broken entry. Runs outside the caller's transaction: it sees committed entries.
     */
    public AuditVerification verify() {
        return verifier.verifyFully();
    }

    /** The newest signed checkpoint of the chain head in the checkpoint file (for export, e.g. ATNA). */
    public Optional<AuditCheckpoint> latestCheckpoint() {
        return verifier.latestCheckpoint();
    }

    /** The result of the last verification (start-up, schedule or {@link #verify()}) in this process. */
    public Optional<AuditVerification> lastVerification() {
        return verifier.lastVerification();
    }

    @Override
    @Transactional
    public Optional<AuditRecord> read(String id) {
        return entries.byId(id).map(AuditLog::toRecord);
    }

    @Override
    @Transactional
    public Page<AuditRecord> search(AuditQuery query, int offset, int count) {
        var criteria = new AuditEntries.Criteria(query.patientIdentifier(), query.entity(), query.agent(),
                query.date().from(), query.date().to(),
                query.actions().stream().map(Enum::name).collect(Collectors.toUnmodifiableSet()));
        List<AuditRecord> items = entries.search(criteria, offset, count).stream().map(AuditLog::toRecord).toList();
        return new Page<>(items, entries.count(criteria));
    }

    static AuditRecord toRecord(AuditEntry entry) {
        Optional<BusinessIdentifier> patient = entry.patientSystem == null ? Optional.empty()
                : Optional.of(new BusinessIdentifier(entry.patientSystem, entry.patientValue));
        Set<String> roles = entry.agentRoles.isEmpty() ? Set.of()
                : Arrays.stream(entry.agentRoles.split(",")).collect(Collectors.toUnmodifiableSet());
        List<String> entities = entry.entities.isEmpty() ? List.of() : List.of(entry.entities.split(" "));
        return new AuditRecord(entry.id, entry.sequence, entry.recorded, AuditAction.valueOf(entry.action),
                entry.success, entry.agent, entry.agentName, roles, patient, entities, entry.detail, entry.hash);
    }
}
