package org.monailabel.engine.io.nifti;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.internal.VoxelStreams;

/**
 * Reads single-file NIfTI-1 and NIfTI-2 images ({@code .nii}, and {@code .nii.gz} recognised by the
 * gzip magic), in either byte order, into a {@link Volume}. Thread-safe.
 *
 * <p>The header is validated before any large allocation; then exactly the voxel buffer is
 * allocated and the (possibly inflating) stream is read straight into it, in the file's byte order,
 * so unscaled data costs one buffer. Extensions are skipped by seeking to {@code vox_offset}.
 *
 * <p>Shape: {@code dim[1..3]} become {@code (x, y, z)} (missing axes are 1); {@code dim[4..7]} are
 * flattened into the fourth axis (so MONAI's 5-D vector images with {@code dim[4] = 1} read as
 * channels). The affine is nibabel's ({@link NiftiAffines}).
 *
 * <p>Scaling: when {@code scl_slope} is finite and non-zero and {@code (slope, inter) != (1, 0)},
 * voxels become {@code raw * slope + inter} computed in double precision, stored as FLOAT64 if the
 * raw type is int32, uint32, int64 or float64 and as FLOAT32 otherwise. The values equal nibabel's
 * {@code get_fdata()} (float64) exactly, or rounded once to float32. Slope 0 or NaN means no
 * scaling, as in nibabel.
 *
 * <p>Metadata keys: {@code format} ({@code nifti1}/{@code nifti2}), {@code nifti.descrip}, {@code
 * nifti.qform_code}, {@code nifti.sform_code}, {@code nifti.intent_code}, {@code nifti.dim}, {@code
 * nifti.pixdim}, and {@code nifti.scl_slope}/{@code nifti.scl_inter} when scaling was applied.
 */
public final class NiftiReader {
    private final ReadOptions options;

    public NiftiReader() {
        this(ReadOptions.defaults());
    }

    public NiftiReader(ReadOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Reads a {@code .nii} or {@code .nii.gz} file. */
    public Volume read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, Files.size(path));
        }
    }

    /**
     * Reads a NIfTI image from a stream (plain or gzip), which is not closed.
     *
     * @param length the number of bytes in the stream, or -1 if unknown; used to reject headers
     *     that promise more data than the stream can hold before allocating
     */
    public Volume read(InputStream stream, long length) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(stream, 8192);
        buffered.mark(2);
        boolean gzipped = buffered.read() == 0x1f && buffered.read() == 0x8b;
        buffered.reset();
        InputStream in = gzipped ? VoxelStreams.gunzip(buffered) : buffered;
        try {
            return read(in, length, gzipped);
        } finally {
            if (gzipped) {
                in.close(); // frees the inflater; the caller's stream stays open
            }
        }
    }

    private Volume read(InputStream in, long length, boolean gzipped) throws IOException {
        byte[] head = new byte[NiftiHeaders.NIFTI2_SIZE];
        VoxelStreams.readFully(in, head, 0, 4, "NIfTI header");
        NiftiHeaders.Sized sized = NiftiHeaders.sizeOf(head);
        VoxelStreams.readFully(in, head, 4, sized.size() - 4, "NIfTI header");
        NiftiHeader header = NiftiHeaders.decode(head, sized);

        VoxelType raw = NiftiDataTypes.toVoxelType(header.datatype());
        long[] sizes = new long[header.rank()];
        System.arraycopy(header.dim(), 1, sizes, 0, sizes.length);
        long bytes = VoxelStreams.voxelBytes(sizes, raw.bytes(), options.maxVoxelBytes(), "NIfTI");
        VoxelStreams.checkAvailable(header.voxOffset(), bytes, length, gzipped, "NIfTI");
        Optional<Scaling> scaling = Scaling.of(header, raw);
        if (scaling.isPresent()
                && bytes / raw.bytes() * scaling.get().type().bytes() > options.maxVoxelBytes()) {
            throw new InvalidImageException(
                    "Scaled NIfTI data would exceed the limit of "
                            + options.maxVoxelBytes()
                            + " bytes");
        }
        Affine affine = NiftiAffines.choose(header);

        VoxelStreams.skipFully(in, header.voxOffset() - sized.size(), "NIfTI file");
        ByteBuffer data = VoxelStreams.readVoxels(in, bytes, header.order(), "NIfTI voxel data");
        Volume volume = Volume.of(raw, shape(sizes), data, affine, metadata(header, scaling));
        return scaling.isPresent() ? scaling.get().apply(volume) : volume;
    }

    private static int[] shape(long[] sizes) {
        int[] xyz = {1, 1, 1};
        long channels = 1;
        for (int i = 0; i < sizes.length; i++) {
            if (i < 3) {
                xyz[i] = (int) sizes[i];
            } else {
                channels *= sizes[i];
            }
        }
        return channels == 1 ? xyz : new int[] {xyz[0], xyz[1], xyz[2], (int) channels};
    }

    private static Map<String, Object> metadata(NiftiHeader h, Optional<Scaling> scaling) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", "nifti" + h.version());
        meta.put("nifti.descrip", h.descrip());
        meta.put("nifti.qform_code", h.qformCode());
        meta.put("nifti.sform_code", h.sformCode());
        meta.put("nifti.intent_code", h.intentCode());
        List<Long> dim = new ArrayList<>();
        List<Double> pixdim = new ArrayList<>();
        for (int i = 0; i <= h.rank(); i++) {
            dim.add(h.dim()[i]);
            pixdim.add(h.pixdim()[i]);
        }
        meta.put("nifti.dim", dim);
        meta.put("nifti.pixdim", pixdim);
        scaling.ifPresent(
                s -> {
                    meta.put("nifti.scl_slope", s.slope());
                    meta.put("nifti.scl_inter", s.inter());
                });
        return meta;
    }

    /** nibabel's {@code scl_slope}/{@code scl_inter} rule. */
    private record Scaling(double slope, double inter, VoxelType type) {
        /** The scaling nibabel applies, or empty if the raw values stand. */
        static Optional<Scaling> of(NiftiHeader h, VoxelType raw) throws InvalidImageException {
            double slope = h.sclSlope();
            double inter = h.sclInter();
            if (slope == 0 || !Double.isFinite(slope)) {
                return Optional.empty();
            }
            if (!Double.isFinite(inter)) {
                throw new InvalidImageException(
                        "NIfTI scl_slope is valid but scl_inter is " + inter);
            }
            if (slope == 1 && inter == 0) {
                return Optional.empty();
            }
            boolean wide =
                    raw == VoxelType.INT32
                            || raw == VoxelType.UINT32
                            || raw == VoxelType.INT64
                            || raw == VoxelType.FLOAT64;
            return Optional.of(
                    new Scaling(slope, inter, wide ? VoxelType.FLOAT64 : VoxelType.FLOAT32));
        }

        Volume apply(Volume raw) {
            int n = Math.toIntExact(raw.voxelCount());
            ByteBuffer out = ByteBuffer.allocate(n * type.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                double v = raw.get(i);
                if (slope != 1) {
                    v *= slope; // multiply and add only when needed, as nibabel does (keeps -0.0)
                }
                if (inter != 0) {
                    v += inter;
                }
                if (type == VoxelType.FLOAT32) {
                    out.putFloat(i * 4, (float) v);
                } else {
                    out.putDouble(i * 8, v);
                }
            }
            return Volume.of(type, raw.shape(), out, raw.affine(), raw.metadata());
        }
    }
}
