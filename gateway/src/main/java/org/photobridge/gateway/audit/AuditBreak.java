package org.photobridge.gateway.audit;

/** Why the audit trail failed verification. */
public enum AuditBreak {
    /** An entry's chain code does not match its content: edited, moved to another sequence, or forged. */
    ENTRY_ALTERED("entry %s does not match its chain code"),
    /** An entry's link to the entry before it does not match that entry's chain code. */
    LINK_BROKEN("entry %s does not link to the entry before it"),
    /** No entry with this sequence although later ones (or the head) exist: deleted. */
    ENTRY_MISSING("entry %s is missing"),
    /** An entry in the legacy (unkeyed) scheme after keyed ones: rewritten without the key. */
    LEGACY_AFTER_KEYED("entry %s claims the legacy scheme after keyed entries"),
    /** The legacy segment does not end where the signed checkpoint says it ends. */
    LEGACY_BOUNDARY_MOVED("the legacy segment no longer ends where the checkpoint says; first changed entry %s"),
    /** The head row does not match the last entry, or entries exist beyond it. */
    HEAD_MISMATCH("the chain head does not match the entries at %s"),
    /** The newest signed checkpoint names entries that are no longer in the database. */
    TRUNCATED("entries from %s on are gone although a signed checkpoint covers them"),
    /** The entry at the newest checkpoint's sequence is not the one the checkpoint signed. */
    CHECKPOINT_MISMATCH("the entries up to the newest checkpoint were replaced; first suspect entry %s"),
    /** The newest line of the checkpoint file is not a checkpoint signed by the gateway's key. */
    CHECKPOINT_FORGED("the newest line of the checkpoint file is not signed by the audit key"),
    /** The checkpoint file lost checkpoints this gateway wrote (deleted or rolled back). */
    CHECKPOINT_MISSING("the checkpoint file lost checkpoints this gateway wrote");

    private final String description;

    AuditBreak(String description) {
        this.description = description;
    }

    /** A sentence for logs and the compliance endpoint: sequence numbers only, never entry content. */
    public String describe(Long sequence) {
        return String.format(description, sequence);
    }
}
