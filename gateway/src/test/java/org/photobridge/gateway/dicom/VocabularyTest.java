package org.photobridge.gateway.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class VocabularyTest {

    @Test
    void standardViewsUseSnomedCodesFromCid4062() {
        assertEquals(new CodedConcept("SCT", "399033003", "frontal"), ViewVocabulary.lookup("anterior").concept());
        assertEquals(new CodedConcept("SCT", "260421001", "left lateral oblique"),
                ViewVocabulary.lookup("left-oblique-45").concept());
        assertEquals(new CodedConcept("SCT", "260424009", "right lateral oblique"),
                ViewVocabulary.lookup("right-oblique-45").concept());
    }

    @Test
    void onlyViewsWithoutAStandardCodeArePrivate() {
        List<String> privateViews = ViewVocabulary.all().stream()
                .filter(view -> view.concept().isPrivate()).map(ViewVocabulary.View::code).toList();
        assertEquals(List.of("posterior", "close-up"), privateViews);
    }

    @Test
    void everyViewHasADistinctCode() {
        var seen = new HashSet<CodedConcept>();
        ViewVocabulary.all().forEach(view -> assertTrue(seen.add(view.concept()), view.code()));
    }

    @Test
    void unknownViewIsRejectedWithTheListOfAcceptedViews() {
        var error = assertThrows(IllegalArgumentException.class, () -> ViewVocabulary.lookup("frontal"));
        assertTrue(error.getMessage().contains("anterior, posterior, left-lateral"), error.getMessage());
        assertTrue(ViewVocabulary.find("frontal").isEmpty());
    }

    @Test
    void protocolsNameTheirViewsFromTheViewVocabulary() {
        for (ProtocolVocabulary.Protocol protocol : ProtocolVocabulary.all()) {
            protocol.expectedViews().forEach(ViewVocabulary::lookup);
            assertTrue(protocol.protocolName().length() <= 64, protocol.code());
        }
        assertEquals(5, ProtocolVocabulary.lookup("breast-5-view").expectedViews().size());
        assertEquals(6, ProtocolVocabulary.lookup("face-6-view").expectedViews().size());
        assertTrue(ProtocolVocabulary.lookup("face-6-view").expectsView("basal"));
        assertTrue(!ProtocolVocabulary.lookup("breast-5-view").expectsView("close-up"));
    }

    @Test
    void unknownProtocolIsRejectedWithTheListOfAcceptedProtocols() {
        var error = assertThrows(IllegalArgumentException.class, () -> ProtocolVocabulary.lookup("knee"));
        assertTrue(error.getMessage().contains("breast-5-view, abdomen-5-view, face-6-view"), error.getMessage());
    }

    @Test
    void lateralityAcceptsOnlyImageLateralityValues() {
        assertEquals(ImageLaterality.B, ImageLaterality.parse("B"));
        var error = assertThrows(IllegalArgumentException.class, () -> ImageLaterality.parse("left"));
        assertTrue(error.getMessage().contains("L, R, B, U"), error.getMessage());
    }

    @Test
    void codedConceptsRespectDicomValueLengths() {
        assertThrows(IllegalArgumentException.class, () -> new CodedConcept("SCT", "12345678901234567", "x"));
        assertThrows(IllegalArgumentException.class, () -> new CodedConcept("SCT", "1", "m".repeat(65)));
    }
}
