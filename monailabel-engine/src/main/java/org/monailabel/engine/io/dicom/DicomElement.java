package org.monailabel.engine.io.dicom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * One data element: its tag, its VR (as written in explicit VR, or from {@link DicomTags} in
 * implicit VR) and either a value (a read-only little-endian view of the file's bytes, not a copy)
 * or, for a sequence, its items. Immutable.
 */
public final class DicomElement {
    private final int tag;
    private final String vr;
    private final byte[] source;
    private final int offset;
    private final int length;
    private final List<DicomDataset> items;

    private DicomElement(
            int tag, String vr, byte[] source, int offset, int length, List<DicomDataset> items) {
        this.tag = tag;
        this.vr = vr;
        this.source = source;
        this.offset = offset;
        this.length = length;
        this.items = items;
    }

    static DicomElement value(int tag, String vr, byte[] source, int offset, int length) {
        return new DicomElement(tag, vr, source, offset, length, null);
    }

    static DicomElement sequence(int tag, String vr, List<DicomDataset> items) {
        return new DicomElement(tag, vr, null, 0, 0, List.copyOf(items));
    }

    public int tag() {
        return tag;
    }

    public String vr() {
        return vr;
    }

    /** Whether this element holds items (an {@code SQ}, or an undefined-length {@code UN}). */
    public boolean isSequence() {
        return items != null;
    }

    /** The items of a sequence; empty for a value. */
    public List<DicomDataset> items() {
        return items == null ? List.of() : items;
    }

    /** The value's length in bytes (0 for a sequence). */
    public int length() {
        return length;
    }

    /**
     * The value as a read-only little-endian buffer over the file's bytes (empty for a sequence).
     */
    public ByteBuffer buffer() {
        if (source == null) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        return ByteBuffer.wrap(source, offset, length)
                .slice()
                .asReadOnlyBuffer()
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A copy of the value's bytes (empty for a sequence). */
    public byte[] bytes() {
        byte[] copy = new byte[length];
        if (source != null) {
            System.arraycopy(source, offset, copy, 0, length);
        }
        return copy;
    }

    @Override
    public String toString() {
        return DicomTags.toString(tag)
                + " "
                + vr
                + (items != null ? " " + items.size() + " items" : " " + length + " bytes");
    }
}
