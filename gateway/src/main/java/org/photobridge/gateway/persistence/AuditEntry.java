package org.photobridge.gateway.persistence;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One row of the append-only audit trail; never updated or deleted by the gateway. */
@Entity
@Table(name = "audit_entry")
public class AuditEntry {
    @Id
    public long sequence;
    public String id;
    public Instant recorded;
    public String action;
    public boolean success;
    public String agent;
    @Column(name = "agent_name")
    public String agentName;
    @Column(name = "agent_roles")
    public String agentRoles;
    @Column(name = "patient_system")
    public String patientSystem;
    @Column(name = "patient_value")
    public String patientValue;
    /** Entities separated by a space (references and URNs contain none). */
    public String entities;
    public String detail;
    /** The chain code of the entry before (64 zeros for the first). */
    @Column(name = "previous_hash")
    public String previousHash;
    /** This entry's chain code, hex: HMAC-SHA256 or, for legacy entries, SHA-256 (see {@link #scheme}). */
    public String hash;
    /** How {@link #hash} is computed: {@code hmac-sha256-v1}, or {@code sha256} for entries written before V3. */
    public String scheme;
}
