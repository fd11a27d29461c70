package org.photobridge.gateway.audit;

import java.nio.file.Path;
import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where the audit trail keeps what must live outside the database, and how often it checks itself. */
@ConfigMapping(prefix = "photobridge.audit")
public interface AuditConfig {

    /**
     * The audit trail's secret keys (entry MAC key and checkpoint signing key). Generated with mode 0600
     * on first start when absent; the gateway refuses to start if group or others may access it. Keep a
     * backup: without it the trail can no longer be verified.
     */
    @WithDefault("${photobridge.data.directory}/audit-key/audit-trail.key")
    Path keyFile();

    /** Directory of the append-only file of signed checkpoints of the chain head. */
    @WithDefault("${photobridge.data.directory}/audit-checkpoints")
    Path checkpointDirectory();

    /** How often the new entries are verified and, if the trail is intact, a checkpoint is signed. */
    @WithDefault("1m")
    Duration checkpointInterval();

    /** A checkpoint is also signed as soon as this many entries were written since the last one. */
    @WithDefault("1000")
    int checkpointEveryEntries();

    /**
     * Most entries of callers without a transaction of their own (reads, searches) that the audit
     * writer links and commits together (group commit, {@link AuditAppender}).
     */
    @WithDefault("256")
    int batchSize();

    /**
     * How long a request waits for its audit entry to be committed before it fails (and is not
     * answered as if audited).
     */
    @WithDefault("10s")
    Duration appendTimeout();

    /** How often every entry is verified again (besides at start-up); between them only new ones are. */
    @WithDefault("24h")
    Duration fullVerificationInterval();
}
