package org.photobridge.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The start-up warm-up goes through the store's real sealing and opening, not a shortcut. */
class CryptoWarmUpTest {

    @Test
    void sealsAndOpensAWholeBlobUnderAThrowAwayKey() throws Exception {
        assertEquals(4 << 20, CryptoWarmUp.roundTrip(CryptoWarmUp.freshKeys()));
    }
}
