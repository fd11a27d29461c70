package org.photobridge.gateway.consent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.photobridge.domain.AuditAction;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.persistence.ConsentVersionRow;
import org.photobridge.gateway.persistence.ConsentVersions;
import org.photobridge.gateway.persistence.Consents;
import org.photobridge.gateway.store.BlobContexts;
import org.photobridge.gateway.store.DecryptionFailedException;
import org.photobridge.gateway.store.EncryptedBlobStore;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;

/**
 * Signed consent forms at rest: the form (Consent.sourceAttachment.data, often a scanned signature
 * with the patient's name) is taken out of the stored FHIR JSON and sealed like a photo, under a data
 * key derived from the active storage key and bound to the Consent id and version; a read puts it
 * back, so FHIR readers get the same attachment. Versions written before V10 are encrypted at start-up.
 * A form that fails decryption raises an audited security alert and an error.
 */
@ApplicationScoped
public class SignedForms {
    private static final Logger LOG = Logger.getLogger(SignedForms.class);
    private static final int BATCH = 100;
    // Exact decimals: re-serialising the JSON must not change a FHIR decimal's precision.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).build();

    @Inject
    EncryptedBlobStore store;

    @Inject
    ConsentVersions versions;

    @Inject
    Consents consents;

    @Inject
    AuditLog audit;

    /** Moves the form of a version about to be persisted out of its JSON, sealed. */
    void seal(ConsentVersionRow row, String json) {
        row.formPending = false;
        ObjectNode root = parse(json);
        JsonNode attachment = root.get("sourceAttachment");
        if (attachment instanceof ObjectNode form && form.hasNonNull("data")) {
            String data = form.remove("data").asText();
            row.sourceForm = store.seal(context(row), data.getBytes(StandardCharsets.US_ASCII));
            row.formKeyId = store.activeKeyId();
            row.json = write(root);
        } else {
            row.sourceForm = null;
            row.formKeyId = null;
            row.json = json;
        }
    }

    /** The version's FHIR JSON with its form put back. */
    String json(ConsentVersionRow row) {
        if (row.sourceForm == null) {
            return row.json;
        }
        byte[] data;
        try {
            data = store.unseal(context(row), row.sourceForm);
        } catch (DecryptionFailedException e) {
            throw alert(row, e);
        }
        ObjectNode root = parse(row.json);
        JsonNode attachment = root.get("sourceAttachment");
        if (!(attachment instanceof ObjectNode form)) {
            throw new IllegalStateException("Consent " + row.key.consentId() + " version " + row.key.version()
                    + " has a sealed form but no sourceAttachment");
        }
        form.put("data", new String(data, StandardCharsets.US_ASCII));
        return write(root);
    }

    /**
     * Re-encrypts a version's form under the active key (the caller holds the row locked in its
     * transaction); returns false when it already was.
     */
    public boolean reencrypt(ConsentVersionRow row) {
        if (row.sourceForm == null || store.activeKeyId().equals(row.formKeyId)) {
            return false;
        }
        try {
            byte[] data = store.unseal(context(row), row.sourceForm);
            row.sourceForm = store.seal(context(row), data);
            row.formKeyId = store.activeKeyId();
            return true;
        } catch (DecryptionFailedException e) {
            throw alert(row, e);
        }
    }

    void onStart(@Observes StartupEvent event) {
        encryptPlaintextForms();
    }

    /** Encrypts the forms still stored in plaintext (versions written before V10); returns how many. */
    public int encryptPlaintextForms() {
        int done = 0;
        while (true) {
            int batch = QuarkusTransaction.requiringNew().call(() -> {
                List<ConsentVersionRow> rows = versions.withPlaintextForms(BATCH);
                rows.forEach(row -> seal(row, row.json));
                return rows.size();
            });
            done += batch;
            if (batch < BATCH) {
                break;
            }
        }
        if (done > 0) {
            LOG.infof("encrypted %d signed consent form(s) stored in plaintext before V10", done);
        }
        return done;
    }

    private IllegalStateException alert(ConsentVersionRow row, DecryptionFailedException e) {
        LOG.errorf("SECURITY ALERT, Consent %s version %d: its signed form failed decryption", row.key.consentId(),
                row.key.version());
        Optional<BusinessIdentifier> patient = consents.findByIdOptional(row.key.consentId())
                .map(c -> new BusinessIdentifier(c.patientSystem, c.patientValue));
        QuarkusTransaction.requiringNew().run(() -> audit.record(AuditAction.SECURITY_ALERT, false,
                AuditLog.Agent.SYSTEM, patient,
                List.of("Consent/" + row.key.consentId() + "/_history/" + row.key.version()),
                "signed consent form failed decryption: " + e.getMessage()));
        return new IllegalStateException("the signed form of Consent " + row.key.consentId()
                + " failed its integrity check; a security alert was raised", e);
    }

    private static String context(ConsentVersionRow row) {
        return BlobContexts.consentForm(row.key.consentId(), row.key.version());
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("stored Consent JSON unreadable", e);
        }
    }

    private static String write(JsonNode root) {
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("Consent JSON not writable", e);
        }
    }
}
