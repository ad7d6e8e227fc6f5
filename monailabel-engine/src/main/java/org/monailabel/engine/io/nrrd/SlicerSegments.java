package org.monailabel.engine.io.nrrd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;

/**
 * 3D Slicer segmentation files ({@code .seg.nrrd}): the {@code Segment<N>_*} key/value pairs and
 * the conversion between Slicer's (possibly multi-layer) layout and a single label map.
 *
 * <p>Metadata of a label map read from, or written to, a segmentation:
 *
 * <ul>
 *   <li>{@value #LABELS}: {@code Map<String, Integer>}, segment name to label value, in segment
 *       order;
 *   <li>{@value #SEGMENTS}: {@code List<Map<String, Object>>}, one map per segment with {@code id},
 *       {@code name}, {@code value} (the label in this volume), {@code color} (3 doubles in 0..1,
 *       if known), and the file's {@code layer} and {@code labelValue}.
 * </ul>
 *
 * Multi-layer files (4-D, one layer per channel) are merged: if all segments have distinct label
 * values they are kept, otherwise segments are numbered 1..N in file order; where segments of
 * different layers overlap, the segment of the higher layer wins.
 */
public final class SlicerSegments {
    /** Metadata key: segment name to label value. */
    public static final String LABELS = "labels";

    /** Metadata key: per-segment details. */
    public static final String SEGMENTS = "segments";

    private static final Pattern KEY = Pattern.compile("Segment(\\d{1,6})_(\\w+)");

    private SlicerSegments() {}

    /** A segment as described by its {@code Segment<index>_*} keys. */
    record Segment(int index, String id, String name, long labelValue, int layer, double[] color) {}

    static boolean isSegmentation(Map<String, String> keyValues) {
        for (String key : keyValues.keySet()) {
            if (KEY.matcher(key).matches()) {
                return true;
            }
        }
        return false;
    }

    static List<Segment> parse(Map<String, String> keyValues) throws InvalidImageException {
        Map<Integer, Map<String, String>> byIndex = new TreeMap<>();
        for (Map.Entry<String, String> e : keyValues.entrySet()) {
            Matcher m = KEY.matcher(e.getKey());
            if (m.matches()) {
                byIndex.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new HashMap<>())
                        .put(m.group(2), e.getValue().trim());
            }
        }
        List<Segment> segments = new ArrayList<>();
        for (Map.Entry<Integer, Map<String, String>> e : byIndex.entrySet()) {
            Map<String, String> f = e.getValue();
            String id = f.getOrDefault("ID", "Segment_" + e.getKey());
            long label =
                    NrrdHeader.parseLong(f.getOrDefault("LabelValue", "1"), "Segment LabelValue");
            long layer = NrrdHeader.parseLong(f.getOrDefault("Layer", "0"), "Segment Layer");
            if (layer < 0 || layer > 65535) {
                throw new InvalidImageException("Segment layer " + layer + " is out of range");
            }
            segments.add(
                    new Segment(
                            e.getKey(),
                            id,
                            f.getOrDefault("Name", id),
                            label,
                            (int) layer,
                            color(f.get("Color"))));
        }
        return segments;
    }

    private static double[] color(String text) throws InvalidImageException {
        if (text == null) {
            return null;
        }
        String[] parts = NrrdHeader.tokens(text);
        if (parts.length != 3) {
            return null;
        }
        double[] c = new double[3];
        for (int i = 0; i < 3; i++) {
            c[i] = NrrdHeader.parseDouble(parts[i], "Segment Color");
        }
        return c;
    }

    /** Merges layers into one label map and adds {@link #LABELS} and {@link #SEGMENTS}. */
    static Volume toLabelMap(Volume volume, Map<String, String> keyValues)
            throws InvalidImageException {
        List<Segment> segments = parse(keyValues);
        int layers = volume.channels();
        TreeSet<Long> distinct = new TreeSet<>();
        for (Segment s : segments) {
            if (s.layer() >= layers) {
                throw new InvalidImageException(
                        "Segment "
                                + s.index()
                                + " is in layer "
                                + s.layer()
                                + " but the file has "
                                + layers);
            }
            distinct.add(s.labelValue());
        }
        boolean renumber = layers > 1 && distinct.size() < segments.size();
        List<Map<String, Object>> details = new ArrayList<>();
        Map<String, Integer> labels = new LinkedHashMap<>();
        long[] values = new long[segments.size()];
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            values[i] = renumber ? i + 1 : s.labelValue();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("id", s.id());
            d.put("name", s.name());
            d.put("value", values[i]);
            if (s.color() != null) {
                d.put("color", List.of(s.color()[0], s.color()[1], s.color()[2]));
            }
            d.put("layer", s.layer());
            d.put("labelValue", s.labelValue());
            details.add(d);
            labels.put(
                    s.name(),
                    (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, values[i])));
        }
        Map<String, Object> meta = new LinkedHashMap<>(volume.metadata());
        meta.put(LABELS, labels);
        meta.put(SEGMENTS, details);
        if (layers == 1) {
            return volume.withMetadata(meta);
        }
        meta.put("nrrd.layers", layers);
        return merge(volume, segments, values).withMetadata(meta);
    }

    private static Volume merge(Volume volume, List<Segment> segments, long[] values)
            throws InvalidImageException {
        long max = 0;
        for (long v : values) {
            max = Math.max(max, v);
        }
        VoxelType type =
                max <= 0xFF ? VoxelType.UINT8 : max <= 0xFFFF ? VoxelType.UINT16 : VoxelType.INT32;
        if (max > Integer.MAX_VALUE) {
            throw new InvalidImageException("Segment label value " + max + " is too large");
        }
        int[] shape = volume.shape();
        int voxels = shape[0] * shape[1] * shape[2];
        ByteBuffer out = ByteBuffer.allocate(voxels * type.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        Volume result =
                Volume.of(
                        type,
                        new int[] {shape[0], shape[1], shape[2]},
                        out,
                        volume.affine(),
                        Map.of());
        for (int layer = 0; layer < shape[3]; layer++) {
            Map<Long, Long> lookup = new HashMap<>();
            for (int i = 0; i < segments.size(); i++) {
                if (segments.get(i).layer() == layer) {
                    lookup.put(segments.get(i).labelValue(), values[i]);
                }
            }
            if (lookup.isEmpty()) {
                continue;
            }
            long offset = (long) layer * voxels;
            for (int i = 0; i < voxels; i++) {
                double raw = volume.get(offset + i);
                if (raw != 0) {
                    Long value = lookup.get((long) raw);
                    if (value != null) {
                        result.set(i, value);
                    }
                }
            }
        }
        return result;
    }

    /**
     * The {@code Segment<N>_*} and {@code Segmentation_*} pairs describing a single-layer label
     * map: segments from {@link #LABELS} metadata if present, else one per distinct non-zero value.
     */
    static Map<String, String> keyValues(Volume labels) {
        Map<Long, String> names = new TreeMap<>();
        Object declared = labels.metadata().get(LABELS);
        if (declared instanceof Map<?, ?> map && !map.isEmpty()) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getValue() instanceof Number n && n.longValue() != 0) {
                    names.put(n.longValue(), String.valueOf(e.getKey()));
                }
            }
        } else {
            for (long i = 0; i < labels.voxelCount(); i++) {
                long v = (long) labels.get(i);
                if (v != 0 && !names.containsKey(v)) {
                    names.put(v, "Segment_" + v);
                    if (names.size() > 10_000) {
                        throw new IllegalArgumentException(
                                "More than 10000 distinct labels: not a label map");
                    }
                }
            }
        }
        Map<String, String> kv = new LinkedHashMap<>();
        String extent =
                "0 "
                        + (labels.sizeX() - 1)
                        + " 0 "
                        + (labels.sizeY() - 1)
                        + " 0 "
                        + (labels.sizeZ() - 1);
        int n = 0;
        for (Map.Entry<Long, String> e : names.entrySet()) {
            String p = "Segment" + n + "_";
            kv.put(p + "Color", palette(n));
            kv.put(p + "ColorAutoGenerated", "1");
            kv.put(p + "Extent", extent);
            kv.put(p + "ID", "Segment_" + e.getKey());
            kv.put(p + "LabelValue", Long.toString(e.getKey()));
            kv.put(p + "Layer", "0");
            kv.put(p + "Name", e.getValue());
            kv.put(p + "NameAutoGenerated", "0");
            kv.put(p + "Tags", "Segmentation.Status:inprogress|");
            n++;
        }
        kv.put("Segmentation_ContainedRepresentationNames", "Binary labelmap|");
        kv.put("Segmentation_MasterRepresentation", "Binary labelmap");
        kv.put("Segmentation_ReferenceImageExtentOffset", "0 0 0");
        return kv;
    }

    private static String palette(int i) {
        double[][] colors = {
            {0.5, 0.68, 0.5},
            {0.94, 0.84, 0.57},
            {0.69, 0.48, 0.39},
            {0.85, 0.4, 0.31},
            {0.44, 0.71, 0.82},
            {0.9, 0.86, 0.27},
            {0.8, 0.53, 0.78},
            {0.56, 0.39, 0.84}
        };
        double[] c = colors[i % colors.length];
        return c[0] + " " + c[1] + " " + c[2];
    }
}
