package org.monailabel.engine.datastore.dicom;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.dicom.DicomSegWriter;
import org.monailabel.engine.io.dicom.ReferencedSeries;
import org.monailabel.engine.io.dicom.Segment;

/**
 * Labels of DICOM series as DICOM SEG: which segments a label volume holds and what they are called
 * (from the label's info, as clients describe them), and the SEG of a label on its series' grid.
 * Stateless.
 */
public final class DicomLabels {
    private DicomLabels() {}

    /**
     * The source series an image's info describes (what {@link SeriesDatastore} recorded from the
     * volume's metadata, under {@code dicom.referenced_series}).
     *
     * @throws InvalidInputException if the image is not a DICOM series (or was converted before the
     *     series' references were recorded)
     */
    public static ReferencedSeries referencedSeries(String imageId, Map<String, Object> imageInfo) {
        if (imageInfo.get(SeriesDatastore.INFO_KEY) instanceof Map<?, ?> dicom
                && dicom.get("referenced_series") instanceof Map<?, ?> ref) {
            Map<String, Object> map = new TreeMap<>();
            ref.forEach((k, v) -> map.put(String.valueOf(k), v));
            try {
                return ReferencedSeries.fromMap(map);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(
                        "Image '" + imageId + "' has unusable DICOM references: " + e.getMessage());
            }
        }
        throw new InvalidInputException(
                "Image '"
                        + imageId
                        + "' is not a DICOM series: a DICOM SEG can only be made for one");
    }

    /**
     * The segments of a label: one per non-zero value it holds, named as the label's info says:
     * Slicer's {@code label_info} ({@code [{"name", "idx", "color"}]}, colour as three numbers in
     * 0..1 or 0..255), else {@code label_names} ({@code {"spleen": 1}}, as inference results name
     * them), else {@code Segment <value>}.
     */
    public static List<Segment> segments(Volume label, Map<String, ?> info) {
        Map<Integer, String> names = new TreeMap<>();
        Map<Integer, Integer> colours = new TreeMap<>();
        if (info.get("label_names") instanceof Map<?, ?> labelNames) {
            labelNames.forEach(
                    (name, value) -> {
                        if (value instanceof Number n && name != null) {
                            names.put(n.intValue(), String.valueOf(name));
                        }
                    });
        }
        if (info.get("label_info") instanceof List<?> entries) {
            for (Object e : entries) {
                if (e instanceof Map<?, ?> entry && entry.get("name") instanceof String name) {
                    Object v =
                            entry.get("idx") instanceof Number ? entry.get("idx") : entry.get("id");
                    if (v instanceof Number n) {
                        names.put(n.intValue(), name);
                        rgb(entry.get("color")).ifPresent(c -> colours.put(n.intValue(), c));
                    }
                }
            }
        }
        List<Segment> segments = new ArrayList<>();
        for (int value : values(label)) {
            String name = names.getOrDefault(value, "Segment " + value);
            Segment s = Segment.of(value, name.length() > 64 ? name.substring(0, 64) : name);
            Integer colour = colours.get(value);
            segments.add(colour == null ? s : s.withColor(colour));
        }
        return segments;
    }

    private static java.util.Optional<Integer> rgb(Object colour) {
        if (!(colour instanceof List<?> c) || c.size() < 3) {
            return java.util.Optional.empty();
        }
        double[] v = new double[3];
        boolean unit = true;
        for (int i = 0; i < 3; i++) {
            if (!(c.get(i) instanceof Number n) || !(n.doubleValue() >= 0)) {
                return java.util.Optional.empty();
            }
            v[i] = n.doubleValue();
            unit &= v[i] <= 1;
        }
        int rgb = 0;
        for (int i = 0; i < 3; i++) {
            int b = (int) Math.round(unit ? v[i] * 255 : Math.min(255, v[i]));
            rgb = (rgb << 8) | b;
        }
        return java.util.Optional.of(rgb);
    }

    /** The non-zero values a label holds, ascending. */
    static TreeSet<Integer> values(Volume label) {
        TreeSet<Integer> values = new TreeSet<>();
        long n = label.voxelCount();
        for (long i = 0; i < n; i++) {
            double v = label.get(i);
            if (v != 0) {
                if (v != Math.rint(v) || v < 1 || v > 65535) {
                    throw new InvalidInputException(
                            "A label for a DICOM SEG holds whole values 0..65535, not " + v);
                }
                values.add((int) v);
            }
        }
        return values;
    }

    /**
     * Writes the SEG of a label that lies on its series' grid.
     *
     * @param description the SEG's SeriesDescription and ContentDescription
     * @throws InvalidInputException if the label is not on the series' grid
     */
    public static DicomSegWriter.Written writeSeg(
            Volume label,
            ReferencedSeries series,
            List<Segment> segments,
            String description,
            Path file)
            throws IOException {
        DicomSegWriter writer =
                new DicomSegWriter(
                        DicomSegWriter.Options.defaults()
                                .withSeries(description, 300)
                                .withContent("MONAI_LABEL", description, "MONAI Label"));
        try {
            return writer.write(label, series, segments, file);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("Cannot make a DICOM SEG: " + e.getMessage());
        }
    }
}
