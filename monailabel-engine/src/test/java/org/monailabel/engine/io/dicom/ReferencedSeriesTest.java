package org.monailabel.engine.io.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.monailabel.api.image.Affine;

class ReferencedSeriesTest {
    static ReferencedSeries sample() {
        Affine affine =
                Affine.of(-0.7, 0, 0.1, 100.25, 0, -0.9, 0, -80.5, 0, 0, 2.5, -30, 0, 0, 0, 1);
        return new ReferencedSeries(
                "1.2.3",
                "1.2.3.4",
                "1.2.3.5",
                "1.2.840.10008.5.1.4.1.1.2",
                List.of("1.2.3.4.1", "1.2.3.4.2", "1.2.3.4.3"),
                new ReferencedSeries.PatientStudy(
                        "Doe^Jane",
                        "P1",
                        "19700101",
                        "F",
                        "20240131",
                        "101112",
                        "S1",
                        "A1",
                        "Ref^Doc",
                        "CT abdomen",
                        "ISO_IR 100"),
                new VolumeGrid(4, 3, 3, affine));
    }

    @Test
    void survivesItsMapAndAJsonRoundTrip() {
        ReferencedSeries ref = sample();
        Map<String, Object> map = ref.toMap();
        assertThat(ReferencedSeries.fromMap(map)).isEqualTo(ref);
        Gson gson = new Gson();
        @SuppressWarnings("unchecked")
        Map<String, Object> json = gson.fromJson(gson.toJson(map), Map.class); // numbers: Double
        assertThat(ReferencedSeries.fromMap(json)).isEqualTo(ref);
        assertThat(map.keySet())
                .containsExactly(
                        "study_instance_uid",
                        "series_instance_uid",
                        "frame_of_reference_uid",
                        "sop_class_uid",
                        "sop_instance_uids",
                        "attributes",
                        "grid");
        @SuppressWarnings("unchecked")
        Map<String, String> attributes = (Map<String, String>) map.get("attributes");
        assertThat(attributes)
                .containsEntry("PatientName", "Doe^Jane")
                .containsEntry("StudyDescription", "CT abdomen")
                .hasSize(11);
        assertThatThrownBy(() -> map.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void namesWhatIsWrongWithABadMap() {
        Map<String, Object> good =
                new Gson().fromJson(new Gson().toJson(sample().toMap()), Map.class);
        assertBad(good, m -> m.remove("study_instance_uid"), "'study_instance_uid' is missing");
        assertBad(
                good,
                m -> m.put("sop_class_uid", 5),
                "'sop_class_uid' is a Integer (5), not a String");
        assertBad(
                good,
                m -> m.put("sop_instance_uids", List.of("1.2", 3)),
                "sop_instance_uids[1] is a Integer");
        assertBad(good, m -> m.put("sop_instance_uids", List.of()), "at least one voxel");
        assertBad(
                good,
                m -> grid(m).put("columns", 2.5),
                "grid: 'columns' is 2.5, not a positive whole number");
        assertBad(
                good,
                m -> grid(m).put("affine", List.of(List.of(1, 2, 3, 4))),
                "3 rows of 4 numbers");
        assertBad(
                good,
                m ->
                        grid(m).put(
                                        "affine",
                                        List.of(
                                                List.of(1, 0, 0, 0),
                                                List.of(0, 1, 0, 0),
                                                List.of(0, 0, "x", 0))),
                "affine[2][2] is a String (x), not a finite number");
        assertBad(
                good,
                m ->
                        grid(m).put(
                                        "affine",
                                        List.of(
                                                List.of(1, 0, 0, 0),
                                                List.of(0, 1, 0, 0),
                                                List.of(0, 0, 0, 0))),
                "must be invertible");
        assertBad(
                good,
                m -> attributes(m).remove("PatientSex"),
                "attributes: 'PatientSex' is missing");
        assertThatThrownBy(
                        () ->
                                new ReferencedSeries(
                                        "1",
                                        "2",
                                        "3",
                                        "4",
                                        List.of("5"),
                                        ReferencedSeries.PatientStudy.empty(),
                                        new VolumeGrid(1, 1, 2, Affine.identity())))
                .hasMessageContaining("2 slices needs as many SOP instance UIDs, not 1");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> grid(Map<String, Object> m) {
        return (Map<String, Object>) m.get("grid");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> attributes(Map<String, Object> m) {
        return (Map<String, Object>) m.get("attributes");
    }

    private static void assertBad(
            Map<String, Object> good,
            java.util.function.Consumer<Map<String, Object>> damage,
            String message) {
        Map<String, Object> copy = deepCopy(good);
        damage.accept(copy);
        assertThatThrownBy(() -> ReferencedSeries.fromMap(copy))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("referenced series")
                .hasMessageContaining(message);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            out.put(
                    e.getKey(),
                    e.getValue() instanceof Map<?, ?> sub
                            ? deepCopy((Map<String, Object>) sub)
                            : e.getValue());
        }
        return out;
    }
}
