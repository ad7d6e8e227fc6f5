package org.monailabel.engine.train;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;

/**
 * Maps the voxel values of a saved label onto a model's label indices. Clients describe their
 * values in the label's {@code label_info} ({@code [{"name": "spleen", "idx": 1}, ...]}, 3D Slicer
 * numbering segments 1..N in its own order); values are matched to the model's labels by name.
 * Values whose name the model does not know, and values not described, become background. Without
 * {@code label_info} the values are taken to be the model's indices already. Immutable.
 */
public final class LabelMapping {
    private final Map<Integer, Integer> valueToIndex;
    private final boolean identity;

    private LabelMapping(Map<Integer, Integer> valueToIndex, boolean identity) {
        this.valueToIndex = valueToIndex;
        this.identity = identity;
    }

    /**
     * The mapping for a label with this info onto a model with these labels (name to index).
     *
     * @param labelInfo the label's info map (may lack {@code label_info})
     */
    public static LabelMapping of(Map<String, Object> labelInfo, Map<String, Integer> modelLabels) {
        if (!(labelInfo.get("label_info") instanceof List<?> entries) || entries.isEmpty()) {
            return new LabelMapping(Map.of(), true);
        }
        Map<Integer, Integer> map = new HashMap<>();
        for (Object e : entries) {
            if (e instanceof Map<?, ?> entry
                    && entry.get("name") instanceof String name
                    && (entry.get("idx") instanceof Number || entry.get("id") instanceof Number)) {
                Number value = entry.get("idx") instanceof Number n ? n : (Number) entry.get("id");
                Integer index = modelLabels.get(name);
                if (index != null) {
                    map.put(value.intValue(), index);
                }
            }
        }
        return new LabelMapping(Map.copyOf(map), false);
    }

    /** The model index for a saved value (0 for background or unknown). */
    public int indexOf(int value) {
        if (identity) {
            return value;
        }
        return value == 0 ? 0 : valueToIndex.getOrDefault(value, 0);
    }

    /** The label with its values mapped, as {@code uint8} on the same grid. */
    public Volume apply(Volume label) {
        Volume out = Volume.allocate(VoxelType.UINT8, label.affine(), label.shape());
        long n = label.voxelCount();
        Map<Integer, Integer> cache = new HashMap<>();
        ByteBuffer dst = out.data();
        for (long i = 0; i < n; i++) {
            int value = (int) label.get(i);
            int index = cache.computeIfAbsent(value, this::indexOf);
            dst.put(Math.toIntExact(i), (byte) index);
        }
        return out;
    }
}
