package org.monailabel.engine.io.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DicomUidsTest {
    /** The example of PS3.5 B.2. */
    @Test
    void convertsAUuidAsTheStandardsExample() {
        assertThat(DicomUids.fromUuid(UUID.fromString("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")))
                .isEqualTo("2.25.329800735698586629295641978511506172918");
    }

    @Test
    void readsTheUuidAsUnsignedAndFitsTheLongestIn44Characters() {
        String max = DicomUids.fromUuid(new UUID(-1L, -1L));
        assertThat(max).isEqualTo("2.25.340282366920938463463374607431768211455").hasSize(44);
        assertThat(DicomUids.fromUuid(new UUID(0, 0))).isEqualTo("2.25.0");
        assertThat(DicomUids.isValid(max)).isTrue();
    }

    @Test
    void createsDistinctValidUids() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String uid = DicomUids.create();
            assertThat(uid).startsWith("2.25.");
            assertThat(uid.length()).isLessThanOrEqualTo(DicomUids.MAX_LENGTH);
            assertThat(DicomUids.isValid(uid)).as(uid).isTrue();
            assertThat(seen.add(uid)).isTrue();
        }
        // a fresh UID is accepted by the writer's UI check too
        new DicomWriter.Dataset().putString(DicomTags.SOP_INSTANCE_UID, "UI", DicomUids.create());
    }

    @Test
    void checksTheSyntaxOfPs35Section91() {
        assertThat(DicomUids.isValid("1.2.840.10008.1.2.1")).isTrue();
        assertThat(DicomUids.isValid("1.2.0.3")).isTrue();
        assertThat(DicomUids.isValid("1." + "2".repeat(62))).isTrue(); // 64 characters
        assertThat(DicomUids.isValid("1." + "2".repeat(63))).isFalse(); // 65
        assertThat(DicomUids.isValid("1.02.3")).isFalse();
        assertThat(DicomUids.isValid("1..3")).isFalse();
        assertThat(DicomUids.isValid(".1.3")).isFalse();
        assertThat(DicomUids.isValid("1.3.")).isFalse();
        assertThat(DicomUids.isValid("1.2a.3")).isFalse();
        assertThat(DicomUids.isValid("1.2 ")).isFalse();
        assertThat(DicomUids.isValid("12")).isFalse();
        assertThat(DicomUids.isValid("")).isFalse();
        assertThat(DicomUids.isValid(null)).isFalse();
        assertThat(DicomUids.requireValid("1.2", "x")).isEqualTo("1.2");
        assertThatThrownBy(() -> DicomUids.requireValid("1.02", "StudyInstanceUID"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("StudyInstanceUID '1.02' is not a valid DICOM UID");
    }
}
