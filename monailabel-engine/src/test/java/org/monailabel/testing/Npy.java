package org.monailabel.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;

/** Reads the NumPy v1 {@code .npy} float32 (and uint8, read as floats) arrays of the fixtures. */
public final class Npy {
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /**
     * A float32 array in C order.
     *
     * @param shape numpy's shape, slowest axis first
     * @param data the values in C order (last index fastest)
     */
    public record Array(int[] shape, float[] data) {}

    private Npy() {}

    public static Array read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes[0] != (byte) 0x93
                || !new String(bytes, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new IOException("Not an .npy file: " + file);
        }
        int headerLength = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
        String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        boolean bytesOnly = header.contains("'|u1'");
        if (!(header.contains("'<f4'") || bytesOnly) || header.contains("'fortran_order': True")) {
            throw new IOException("Only little-endian float32 or uint8 C-order arrays: " + header);
        }
        Matcher m = SHAPE.matcher(header);
        if (!m.find()) {
            throw new IOException("No shape in " + header);
        }
        int[] shape =
                Arrays.stream(m.group(1).split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .mapToInt(Integer::parseInt)
                        .toArray();
        ByteBuffer buffer =
                ByteBuffer.wrap(bytes, 10 + headerLength, bytes.length - 10 - headerLength)
                        .order(ByteOrder.LITTLE_ENDIAN);
        if (bytesOnly) {
            float[] data = new float[buffer.remaining()];
            for (int i = 0; i < data.length; i++) {
                data[i] = buffer.get() & 0xFF;
            }
            return new Array(shape, data);
        }
        float[] data = new float[buffer.remaining() / 4];
        buffer.asFloatBuffer().get(data);
        return new Array(shape, data);
    }

    /**
     * A MONAI channel-first array {@code (1, X, Y, Z)} in C order as a float32 {@link Volume} in
     * file order (x fastest).
     */
    public static Volume readChannelFirst(Path file, Affine affine) throws IOException {
        Array a = read(file);
        if (a.shape().length != 4 || a.shape()[0] != 1) {
            throw new IOException("Expected shape (1, X, Y, Z), got " + Arrays.toString(a.shape()));
        }
        int nx = a.shape()[1];
        int ny = a.shape()[2];
        int nz = a.shape()[3];
        Volume v = Volume.allocate(VoxelType.FLOAT32, affine, nx, ny, nz);
        ByteBuffer out = v.data();
        int c = 0;
        for (int x = 0; x < nx; x++) {
            for (int y = 0; y < ny; y++) {
                for (int z = 0; z < nz; z++) {
                    out.putFloat(Math.toIntExact(v.index(x, y, z) * 4), a.data()[c++]);
                }
            }
        }
        return v.withMetadata(Map.of("source", file.getFileName().toString()));
    }
}
