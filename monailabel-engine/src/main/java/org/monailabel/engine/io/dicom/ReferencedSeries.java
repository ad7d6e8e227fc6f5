package org.monailabel.engine.io.dicom;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.monailabel.api.image.Affine;
import org.monailabel.engine.io.InvalidImageException;

/**
 * What a DICOM Segmentation needs to know about the series it segments: the UIDs it references, the
 * SOP instance of each slice in {@link org.monailabel.api.image.Volume} slice order (slice {@code
 * k} of the volume {@link DicomSeries} assembled is {@code sopInstanceUids.get(k)}), the patient
 * and study attributes a SEG copies, and the voxel grid of that volume. Made by {@link
 * DicomSeries#assemble}, kept in the volume's metadata under {@link #METADATA_KEY} as {@link
 * #toMap()}, and restored with {@link #fromMap}. Immutable.
 *
 * <p>Values are as the source holds them ({@code ""} when absent); they are not checked against the
 * UID syntax here, since real series carry imperfect UIDs that a SEG must still reference.
 *
 * @param sopClassUid the SOP class of the slices (of the first, if they differ)
 * @param grid the grid of the assembled volume; {@code grid.slices()} equals the number of SOP
 *     instances
 */
public record ReferencedSeries(
        String studyInstanceUid,
        String seriesInstanceUid,
        String frameOfReferenceUid,
        String sopClassUid,
        List<String> sopInstanceUids,
        PatientStudy patientStudy,
        VolumeGrid grid) {
    /** The volume metadata key {@link DicomSeries} puts {@link #toMap()} under. */
    public static final String METADATA_KEY = "dicom.referenced_series";

    public ReferencedSeries {
        Objects.requireNonNull(studyInstanceUid, "studyInstanceUid");
        Objects.requireNonNull(seriesInstanceUid, "seriesInstanceUid");
        Objects.requireNonNull(frameOfReferenceUid, "frameOfReferenceUid");
        Objects.requireNonNull(sopClassUid, "sopClassUid");
        Objects.requireNonNull(patientStudy, "patientStudy");
        Objects.requireNonNull(grid, "grid");
        sopInstanceUids = List.copyOf(sopInstanceUids); // no nulls either
        if (sopInstanceUids.size() != grid.slices()) {
            throw new IllegalArgumentException(
                    "A referenced series of "
                            + grid.slices()
                            + " slices needs as many SOP instance UIDs, not "
                            + sopInstanceUids.size());
        }
    }

    /**
     * The patient and study attributes (PS3.3 C.7.1.1 Patient, C.7.2.1 General Study) a SEG copies
     * from its source, each {@code ""} when the source has none, and the source's {@code
     * SpecificCharacterSet}, which says how to read them (a SEG that copies them copies it too).
     */
    public record PatientStudy(
            String patientName,
            String patientId,
            String patientBirthDate,
            String patientSex,
            String studyDate,
            String studyTime,
            String studyId,
            String accessionNumber,
            String referringPhysicianName,
            String studyDescription,
            String specificCharacterSet) {
        /** The DICOM keyword and tag of each component, in component order. */
        static final List<Map.Entry<String, Integer>> ATTRIBUTES =
                List.of(
                        Map.entry("PatientName", DicomTags.PATIENT_NAME),
                        Map.entry("PatientID", DicomTags.PATIENT_ID),
                        Map.entry("PatientBirthDate", DicomTags.PATIENT_BIRTH_DATE),
                        Map.entry("PatientSex", DicomTags.PATIENT_SEX),
                        Map.entry("StudyDate", DicomTags.STUDY_DATE),
                        Map.entry("StudyTime", DicomTags.STUDY_TIME),
                        Map.entry("StudyID", DicomTags.STUDY_ID),
                        Map.entry("AccessionNumber", DicomTags.ACCESSION_NUMBER),
                        Map.entry("ReferringPhysicianName", DicomTags.REFERRING_PHYSICIAN_NAME),
                        Map.entry("StudyDescription", DicomTags.STUDY_DESCRIPTION),
                        Map.entry("SpecificCharacterSet", DicomTags.SPECIFIC_CHARACTER_SET));

        public PatientStudy {
            Objects.requireNonNull(patientName, "patientName");
            Objects.requireNonNull(patientId, "patientId");
            Objects.requireNonNull(patientBirthDate, "patientBirthDate");
            Objects.requireNonNull(patientSex, "patientSex");
            Objects.requireNonNull(studyDate, "studyDate");
            Objects.requireNonNull(studyTime, "studyTime");
            Objects.requireNonNull(studyId, "studyId");
            Objects.requireNonNull(accessionNumber, "accessionNumber");
            Objects.requireNonNull(referringPhysicianName, "referringPhysicianName");
            Objects.requireNonNull(studyDescription, "studyDescription");
            Objects.requireNonNull(specificCharacterSet, "specificCharacterSet");
        }

        /** All attributes empty. */
        public static PatientStudy empty() {
            return new PatientStudy("", "", "", "", "", "", "", "", "", "", "");
        }

        /**
         * The attributes of a dataset (the first value of each; all values of {@code
         * SpecificCharacterSet}, joined with backslashes).
         */
        public static PatientStudy of(DicomDataset ds) throws InvalidImageException {
            String[] v = new String[ATTRIBUTES.size()];
            for (int i = 0; i < v.length; i++) {
                int tag = ATTRIBUTES.get(i).getValue();
                v[i] =
                        tag == DicomTags.SPECIFIC_CHARACTER_SET
                                ? String.join("\\", ds.strings(tag))
                                : ds.string(tag).orElse("");
            }
            return new PatientStudy(
                    v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
        }

        /** The values in {@link #ATTRIBUTES} order. */
        List<String> values() {
            return List.of(
                    patientName,
                    patientId,
                    patientBirthDate,
                    patientSex,
                    studyDate,
                    studyTime,
                    studyId,
                    accessionNumber,
                    referringPhysicianName,
                    studyDescription,
                    specificCharacterSet);
        }

        /** DICOM keyword to value, every attribute present. */
        public Map<String, String> toMap() {
            Map<String, String> m = new LinkedHashMap<>();
            List<String> values = values();
            for (int i = 0; i < values.size(); i++) {
                m.put(ATTRIBUTES.get(i).getKey(), values.get(i));
            }
            return m;
        }
    }

    /**
     * The series' JSON-like form: {@code study_instance_uid}, {@code series_instance_uid}, {@code
     * frame_of_reference_uid}, {@code sop_class_uid}, {@code sop_instance_uids} (a list in slice
     * order), {@code attributes} (DICOM keyword to value, see {@link PatientStudy}) and {@code
     * grid} ({@code columns}, {@code rows}, and {@code affine}: 3 rows of 4 numbers, RAS).
     * Unmodifiable.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("study_instance_uid", studyInstanceUid);
        m.put("series_instance_uid", seriesInstanceUid);
        m.put("frame_of_reference_uid", frameOfReferenceUid);
        m.put("sop_class_uid", sopClassUid);
        m.put("sop_instance_uids", sopInstanceUids);
        m.put("attributes", Collections.unmodifiableMap(patientStudy.toMap()));
        List<Object> affine = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            List<Double> row = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                row.add(grid.affine().get(r, c));
            }
            affine.add(List.copyOf(row));
        }
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("columns", grid.columns());
        g.put("rows", grid.rows());
        g.put("affine", List.copyOf(affine));
        m.put("grid", Collections.unmodifiableMap(g));
        return Collections.unmodifiableMap(m);
    }

    /**
     * The series of its {@link #toMap()} form, also after a JSON round trip (numbers may come back
     * as any {@link Number}, lists as any {@link List}).
     *
     * @throws IllegalArgumentException naming the key that is missing or of the wrong type
     */
    public static ReferencedSeries fromMap(Map<String, ?> map) {
        Objects.requireNonNull(map, "map");
        String where = "referenced series";
        List<String> uids = new ArrayList<>();
        List<?> list = get(map, "sop_instance_uids", List.class, where);
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw new IllegalArgumentException(
                        where
                                + ": sop_instance_uids["
                                + i
                                + "] is "
                                + describe(list.get(i))
                                + ", not a string");
            }
            uids.add(s);
        }
        Map<?, ?> attributes = get(map, "attributes", Map.class, where);
        String[] v = new String[PatientStudy.ATTRIBUTES.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] =
                    get(
                            attributes,
                            PatientStudy.ATTRIBUTES.get(i).getKey(),
                            String.class,
                            where + " attributes");
        }
        PatientStudy ps =
                new PatientStudy(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
        Map<?, ?> g = get(map, "grid", Map.class, where);
        int columns = integer(g, "columns", where + " grid");
        int rows = integer(g, "rows", where + " grid");
        List<?> affineRows = get(g, "affine", List.class, where + " grid");
        if (affineRows.size() != 3) {
            throw new IllegalArgumentException(
                    where
                            + ": grid affine needs 3 rows of 4 numbers, has "
                            + affineRows.size()
                            + " rows");
        }
        double[] m = new double[12];
        for (int r = 0; r < 3; r++) {
            if (!(affineRows.get(r) instanceof List<?> row) || row.size() != 4) {
                throw new IllegalArgumentException(
                        where
                                + ": grid affine row "
                                + r
                                + " is "
                                + describe(affineRows.get(r))
                                + ", not 4 numbers");
            }
            for (int c = 0; c < 4; c++) {
                if (!(row.get(c) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                    throw new IllegalArgumentException(
                            where
                                    + ": grid affine["
                                    + r
                                    + "]["
                                    + c
                                    + "] is "
                                    + describe(row.get(c))
                                    + ", not a finite number");
                }
                m[r * 4 + c] = n.doubleValue();
            }
        }
        VolumeGrid grid;
        try {
            grid = new VolumeGrid(columns, rows, uids.size(), Affine.of(m));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        return new ReferencedSeries(
                get(map, "study_instance_uid", String.class, where),
                get(map, "series_instance_uid", String.class, where),
                get(map, "frame_of_reference_uid", String.class, where),
                get(map, "sop_class_uid", String.class, where),
                uids,
                ps,
                grid);
    }

    private static <T> T get(Map<?, ?> map, String key, Class<T> type, String where) {
        Object v = map.get(key);
        if (v == null) {
            throw new IllegalArgumentException(where + ": '" + key + "' is missing");
        }
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException(
                    where
                            + ": '"
                            + key
                            + "' is "
                            + describe(v)
                            + ", not a "
                            + type.getSimpleName());
        }
        return type.cast(v);
    }

    private static int integer(Map<?, ?> map, String key, String where) {
        Number n = get(map, key, Number.class, where);
        double d = n.doubleValue();
        if (d != Math.rint(d) || d < 1 || d > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    where + ": '" + key + "' is " + n + ", not a positive whole number");
        }
        return (int) d;
    }

    private static String describe(Object v) {
        return v == null
                ? "null"
                : "a "
                        + v.getClass().getSimpleName()
                        + " ("
                        + DicomDataset.printable(String.valueOf(v))
                        + ")";
    }
}
