package org.monailabel.engine.io.dicom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.ReadOptions;

/**
 * The stored pixel values of one instance (all of its frames), decoded from native (uncompressed)
 * grayscale pixel data: {@code columns} values per row (x fastest), {@code rows} rows per frame,
 * then frames. Values are as stored (before the modality rescale): {@code BitsAllocated} 8 or 16,
 * unsigned or two's complement by {@code PixelRepresentation}; bits above {@code BitsStored} are
 * cleared for unsigned and replaced by the sign bit for signed values (as pydicom does). Only
 * {@code SamplesPerPixel} 1 with {@code MONOCHROME2} is read; {@code MONOCHROME1} (inverted
 * grayscale), colour and other bit depths are refused for now. Immutable.
 *
 * @param data {@code columns * rows * frames} values of {@code type}, little endian, read-only
 */
public record DicomPixels(int columns, int rows, int frames, VoxelType type, ByteBuffer data) {
    public DicomPixels {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        if ((long) columns * rows * frames * type.bytes() != data.remaining()) {
            throw new IllegalArgumentException("pixel buffer does not match the dimensions");
        }
    }

    /** The value at column {@code x}, row {@code y} of frame {@code frame}. */
    public int get(int x, int y, int frame) {
        Objects.checkIndex(x, columns);
        Objects.checkIndex(y, rows);
        Objects.checkIndex(frame, frames);
        int i = (frame * rows + y) * columns + x;
        return switch (type) {
            case UINT8 -> data.get(i) & 0xFF;
            case INT8 -> data.get(i);
            case UINT16 -> Short.toUnsignedInt(data.getShort(2 * i));
            default -> data.getShort(2 * i); // INT16
        };
    }

    /** The pixels of a parsed file, with no limit beyond a buffer's. */
    public static DicomPixels of(DicomFile file) throws InvalidImageException {
        return of(file, ReadOptions.defaults());
    }

    /**
     * The pixels of a parsed file.
     *
     * @throws InvalidImageException if an image attribute is missing or unsupported, or the pixel
     *     data does not hold exactly {@code Rows * Columns * NumberOfFrames} values (plus the pad
     *     byte that makes an odd count of 8-bit values even)
     */
    public static DicomPixels of(DicomFile file, ReadOptions options) throws InvalidImageException {
        DicomDataset ds = file.dataset();
        int samples = ds.intValue(DicomTags.SAMPLES_PER_PIXEL).orElse(1);
        String photometric =
                ds.string(DicomTags.PHOTOMETRIC_INTERPRETATION)
                        .orElseThrow(() -> missing("PhotometricInterpretation (0028,0004)"));
        if (samples != 1 || !"MONOCHROME2".equals(photometric)) {
            throw new InvalidImageException(
                    "DICOM images with PhotometricInterpretation '"
                            + DicomDataset.printable(photometric)
                            + "' and SamplesPerPixel "
                            + samples
                            + " are not supported yet; only MONOCHROME2 grayscale is");
        }
        int rows = dimension(ds, DicomTags.ROWS, "Rows (0028,0010)");
        int columns = dimension(ds, DicomTags.COLUMNS, "Columns (0028,0011)");
        int frames = ds.intValue(DicomTags.NUMBER_OF_FRAMES).orElse(1);
        if (frames < 1) {
            throw new InvalidImageException("DICOM NumberOfFrames is " + frames);
        }
        int allocated =
                ds.intValue(DicomTags.BITS_ALLOCATED)
                        .orElseThrow(() -> missing("BitsAllocated (0028,0100)"));
        int stored = ds.intValue(DicomTags.BITS_STORED).orElse(allocated);
        int representation =
                ds.intValue(DicomTags.PIXEL_REPRESENTATION)
                        .orElseThrow(() -> missing("PixelRepresentation (0028,0103)"));
        if (allocated != 8 && allocated != 16) {
            throw new InvalidImageException(
                    "DICOM BitsAllocated " + allocated + " is not supported (only 8 and 16)");
        }
        if (stored < 1 || stored > allocated) {
            throw new InvalidImageException(
                    "DICOM BitsStored " + stored + " does not fit BitsAllocated " + allocated);
        }
        if (representation != 0 && representation != 1) {
            throw new InvalidImageException(
                    "DICOM PixelRepresentation is " + representation + ", not 0 or 1");
        }
        boolean signed = representation == 1;
        VoxelType type =
                allocated == 8
                        ? (signed ? VoxelType.INT8 : VoxelType.UINT8)
                        : (signed ? VoxelType.INT16 : VoxelType.UINT16);
        long count = (long) rows * columns * frames;
        if (count > options.maxVoxelBytes() / type.bytes()) {
            throw new InvalidImageException(
                    "DICOM image of "
                            + columns
                            + "x"
                            + rows
                            + "x"
                            + frames
                            + " pixels exceeds the limit of "
                            + options.maxVoxelBytes()
                            + " bytes");
        }
        long bytes = count * type.bytes();
        DicomElement pixelData =
                ds.element(DicomTags.PIXEL_DATA)
                        .orElseThrow(() -> missing("PixelData (7FE0,0010)"));
        if (pixelData.isSequence()) {
            throw new InvalidImageException("DICOM PixelData is a sequence");
        }
        long padded = bytes + (bytes & 1);
        if (pixelData.length() != padded) {
            throw new InvalidImageException(
                    "DICOM PixelData holds "
                            + pixelData.length()
                            + " bytes but Rows x Columns x NumberOfFrames ("
                            + rows
                            + " x "
                            + columns
                            + " x "
                            + frames
                            + ") of "
                            + allocated
                            + "-bit pixels need "
                            + padded);
        }
        ByteBuffer src = pixelData.buffer();
        ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) count;
        int unused = 32 - stored;
        if (allocated == 8) {
            for (int i = 0; i < n; i++) {
                int v = src.get(i) & 0xFF;
                v = signed ? (v << unused) >> unused : (v << unused) >>> unused;
                out.put(i, (byte) v);
            }
        } else {
            for (int i = 0; i < n; i++) {
                int v = Short.toUnsignedInt(src.getShort(2 * i));
                v = signed ? (v << unused) >> unused : (v << unused) >>> unused;
                out.putShort(2 * i, (short) v);
            }
        }
        return new DicomPixels(
                columns, rows, frames, type, out.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
    }

    private static int dimension(DicomDataset ds, int tag, String name)
            throws InvalidImageException {
        int v = ds.intValue(tag).orElseThrow(() -> missing(name));
        if (v < 1) {
            throw new InvalidImageException("DICOM " + name + " is " + v);
        }
        return v;
    }

    private static InvalidImageException missing(String name) {
        return new InvalidImageException("DICOM image has no " + name);
    }
}
