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
import org.photobridge.fhir.SignedForm;
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
 * key derived from the active storage key and bound to the Consent id and version. A read hands it
 * out apart from the JSON ({@link #of}), decrypted only when a caller who may see forms is served, so
 * FHIR readers get the same attachment. Versions written before V10 are encrypted at start-up. A form
 * that fails decryption raises an audited security alert and an error.
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
            row.sourceForm = store.seal(context(row.key), data.getBytes(StandardCharsets.US_ASCII));
            row.formKeyId = store.activeKeyId();
            row.json = write(root);
        } else {
            row.sourceForm = null;
            row.formKeyId = null;
            row.json = json;
        }
    }

    /**
     * The sealed form of a Consent version, decrypted only when asked for (each time): its base64 text
     * exactly as it was sealed. Empty when the version has no sealed form (none, or still in its JSON).
     */
    Optional<SignedForm> of(String consentId, long version, byte[] sealed) {
        if (sealed == null) {
            return Optional.empty();
        }
        return Optional.of(() -> base64(new ConsentVersionRow.Key(consentId, version), sealed));
    }

    private String base64(ConsentVersionRow.Key key, byte[] sealed) {
        try {
            return new String(store.unseal(context(key), sealed), StandardCharsets.US_ASCII);
        } catch (DecryptionFailedException e) {
            throw alert(key, e);
        }
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
            byte[] data = store.unseal(context(row.key), row.sourceForm);
            row.sourceForm = store.seal(context(row.key), data);
            row.formKeyId = store.activeKeyId();
            return true;
        } catch (DecryptionFailedException e) {
            throw alert(row.key, e);
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

    private IllegalStateException alert(ConsentVersionRow.Key key, DecryptionFailedException e) {
        LOG.errorf("SECURITY ALERT, Consent %s version %d: its signed form failed decryption", key.consentId(),
                key.version());
        // In a transaction of its own: a form is decrypted while the answer is built, after the read's
        // transaction has ended.
        QuarkusTransaction.requiringNew().run(() -> {
            Optional<BusinessIdentifier> patient = consents.findByIdOptional(key.consentId())
                    .map(c -> new BusinessIdentifier(c.patientSystem, c.patientValue));
            audit.record(AuditAction.SECURITY_ALERT, false, AuditLog.Agent.SYSTEM, patient,
                    List.of("Consent/" + key.consentId() + "/_history/" + key.version()),
                    "signed consent form failed decryption: " + e.getMessage());
        });
        return new IllegalStateException("the signed form of Consent " + key.consentId()
                + " failed its integrity check; a security alert was raised", e);
    }

    private static String context(ConsentVersionRow.Key key) {
        return BlobContexts.consentForm(key.consentId(), key.version());
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
