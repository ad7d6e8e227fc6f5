package org.monailabel.engine.io.nifti;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.io.ParallelGzipOutputStream;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.io.internal.VoxelStreams;

/**
 * Writes a {@link Volume} as a little-endian single-file NIfTI-1 or NIfTI-2 image, gzip-compressed
 * when the file name ends in {@code .gz}. Thread-safe.
 *
 * <p>Geometry: the sform holds the affine as is and the qform holds the quaternion of its nearest
 * rotation with the column lengths as spacings (nibabel's {@code set_qform}), both with code 1
 * (scanner), units mm and seconds. For an affine without shear the two agree, so nibabel (sform),
 * ITK/Slicer (qform first) and MONAI read the same geometry. A 4-D volume is written with {@code
 * dim[0] = 4}; no scaling ({@code scl_slope = 1}, {@code scl_inter = 0}).
 */
public final class NiftiWriter {
    private static final int SCANNER = 1;
    private static final int UNITS_MM_SEC = 2 | 8;

    private final WriteOptions options;

    public NiftiWriter() {
        this(WriteOptions.defaults());
    }

    public NiftiWriter(WriteOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Writes {@code .nii}, or gzip-compressed {@code .nii.gz} if the name ends in {@code .gz}. */
    public void write(Volume volume, Path path) throws IOException {
        boolean gzip = path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
        try (OutputStream out = Files.newOutputStream(path)) {
            write(volume, out, gzip);
        }
    }

    /** Writes to a stream, which is closed when done. */
    public void write(Volume volume, OutputStream stream, boolean gzip) throws IOException {
        NiftiHeader header = header(volume);
        OutputStream buffered = new BufferedOutputStream(stream, 1 << 16);
        try (OutputStream out =
                gzip
                        ? new ParallelGzipOutputStream(
                                buffered, options.gzipLevel(), options.threads())
                        : buffered) {
            out.write(NiftiHeaders.encode(header));
            VoxelStreams.writeData(volume, out, ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** The header written for a volume (package-private for tests). */
    NiftiHeader header(Volume volume) {
        int[] shape = volume.shape();
        int version = options.niftiVersion();
        for (int size : shape) {
            if (size > Short.MAX_VALUE) {
                version = 2;
            }
        }
        long[] dim = {3, shape[0], shape[1], shape[2], 1, 1, 1, 1};
        if (volume.channels() > 1) {
            dim[0] = 4;
            dim[4] = volume.channels();
        }
        Affine affine = volume.affine();
        NiftiQform q = NiftiQform.of(affine);
        double[] pixdim = {q.qfac(), q.zooms()[0], q.zooms()[1], q.zooms()[2], 1, 1, 1, 1};
        double[] srow = new double[12];
        System.arraycopy(affine.toArray(), 0, srow, 0, 12);
        int headerSize = version == 1 ? NiftiHeaders.NIFTI1_SIZE : NiftiHeaders.NIFTI2_SIZE;
        return new NiftiHeader(
                version,
                ByteOrder.LITTLE_ENDIAN,
                dim,
                NiftiDataTypes.toCode(volume.type()),
                pixdim,
                headerSize + 4L,
                1,
                0,
                UNITS_MM_SEC,
                SCANNER,
                SCANNER,
                q.quatern(),
                q.offset(),
                srow,
                0,
                "monailabel");
    }
}
