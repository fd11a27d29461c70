package org.photobridge.gateway.ehr;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.hibernate.Session;
import org.photobridge.gateway.persistence.EhrPublicationRecord;
import org.photobridge.gateway.persistence.EhrPublicationRecord.Status;

/**
 * The durable list of what must reach the EHR. Enqueuing joins the caller's transaction, so a
 * consent change and its publication are committed together; the EHR being down only delays it.
 * One row per resource: enqueuing again just asks for the latest state to be published.
 */
@ApplicationScoped
public class EhrOutbox {
    public static final String CONSENT = "Consent";
    public static final String IMAGING_STUDY = "ImagingStudy";

    @Inject
    Session session;

    @Inject
    Clock clock;

    @Inject
    EhrConfig config;

    @Transactional
    public void enqueue(String resourceType, String resourceId) {
        if (config.url().isEmpty()) {
            return;
        }
        EhrPublicationRecord row = session.createSelectionQuery(
                "from EhrPublicationRecord where resourceType = :t and resourceId = :i", EhrPublicationRecord.class)
                .setParameter("t", resourceType).setParameter("i", resourceId).uniqueResultOptional().orElse(null);
        boolean fresh = row == null;
        if (fresh) {
            row = new EhrPublicationRecord();
            row.id = UUID.randomUUID();
            row.resourceType = resourceType;
            row.resourceId = resourceId;
        }
        row.status = Status.QUEUED;
        row.attempts = 0;
        row.nextAttemptAt = null;
        row.updatedAt = clock.instant();
        if (fresh) {
            // Hibernate takes an inserted row's values at persist time: set them first.
            session.persist(row);
        }
    }

    @Transactional
    public List<EhrPublicationRecord> due(int limit) {
        return session.createSelectionQuery("""
                from EhrPublicationRecord where status in (:q, :r) and (nextAttemptAt is null or nextAttemptAt <= :now)
                order by updatedAt""", EhrPublicationRecord.class)
                .setParameter("q", Status.QUEUED).setParameter("r", Status.RETRYING)
                .setParameter("now", clock.instant()).setMaxResults(limit).getResultList();
    }

    /** Records an attempt; a row re-enqueued meanwhile (updated after {@code startedAt}) stays queued. */
    @Transactional
    public void record(UUID id, Instant startedAt, boolean done, boolean retry, String error, Instant nextAttempt) {
        EhrPublicationRecord row = session.find(EhrPublicationRecord.class, id);
        if (row.updatedAt.isAfter(startedAt)) {
            return;
        }
        row.attempts++;
        row.updatedAt = clock.instant();
        row.lastError = error == null || error.length() <= 1000 ? error : error.substring(0, 1000);
        row.status = done ? Status.DONE : retry ? Status.RETRYING : Status.FAILED;
        row.nextAttemptAt = done || !retry ? null : nextAttempt;
    }

    @Transactional
    public List<EhrPublicationRecord> all() {
        return session.createSelectionQuery("from EhrPublicationRecord order by updatedAt", EhrPublicationRecord.class)
                .getResultList();
    }
}
