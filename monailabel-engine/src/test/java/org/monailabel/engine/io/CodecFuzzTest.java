package org.monailabel.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.nifti.NiftiReader;
import org.monailabel.engine.io.nifti.NiftiWriter;
import org.monailabel.engine.io.nrrd.NrrdReader;
import org.monailabel.engine.io.nrrd.NrrdWriter;

/**
 * Mutates valid NIfTI and NRRD files (plain and gzip) 12,000 times with a fixed seed: every read
 * must either succeed with a consistent volume or throw {@link InvalidImageException}; nothing else
 * (no runtime exception, no other I/O exception, no out-of-memory error).
 */
class CodecFuzzTest {
    /** Longer runs: {@code -Dcodec.fuzz.iterations=300000 -Dcodec.fuzz.seed=7}. */
    private static final int ITERATIONS = Integer.getInteger("codec.fuzz.iterations", 12_000);

    private static final long SEED = Long.getLong("codec.fuzz.seed", 20261127L);
    private static final long[] INTERESTING = {
        0,
        1,
        -1,
        2,
        3,
        4,
        7,
        8,
        16,
        255,
        256,
        348,
        352,
        540,
        544,
        32767,
        -32768,
        65535,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        100_000,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        Float.floatToIntBits(Float.NaN),
        Float.floatToIntBits(Float.POSITIVE_INFINITY),
        Float.floatToIntBits(1e30f),
        Double.doubleToLongBits(Double.NaN)
    };
    private static final String[] NUMBERS = {
        "-1",
        "0",
        "1",
        "4",
        "99999999999",
        "2147483648",
        "1e308",
        "nan",
        "inf",
        "",
        "-0",
        "0.5",
        "(1,2)",
        "none"
    };

    private record Seed(String name, byte[] bytes, boolean nifti, boolean gzip) {}

    @Test
    void mutatedFilesReadOrFailWithInvalidImageExceptionOnly() throws IOException {
        List<Seed> seeds = seeds();
        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        int successes = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            Seed seed = seeds.get(i % seeds.size());
            byte[] mutated = mutate(seed, random);
            if (!seed.gzip() && random.nextInt(3) == 0) {
                mutated =
                        mutateBinary(mutated, random, random.nextInt(3)); // stack a second mutation
            }
            try {
                Volume v =
                        seed.nifti()
                                ? new NiftiReader()
                                        .read(new ByteArrayInputStream(mutated), mutated.length)
                                : new NrrdReader()
                                        .read(new ByteArrayInputStream(mutated), mutated.length);
                assertThat(v.data().remaining()).isEqualTo(v.byteCount());
                successes++;
            } catch (InvalidImageException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (Throwable t) {
                if (failures.size() < 10) {
                    failures.add(
                            "#"
                                    + i
                                    + " "
                                    + seed.name()
                                    + ": "
                                    + t
                                    + " at "
                                    + Arrays.toString(Arrays.copyOf(t.getStackTrace(), 3))
                                    + " bytes "
                                    + HexFormat.of()
                                            .formatHex(
                                                    Arrays.copyOf(
                                                            mutated,
                                                            Math.min(mutated.length, 96))));
                }
            }
        }
        assertThat(failures).as("non-InvalidImageException failures").isEmpty();
        assertThat(successes).as("some mutations still read").isPositive();
    }

    private static List<Seed> seeds() throws IOException {
        Volume int16 =
                TestVolumes.random(
                        VoxelType.INT16,
                        TestVolumes.oblique(),
                        ByteOrder.LITTLE_ENDIAN,
                        1,
                        6,
                        5,
                        4);
        Volume float4d =
                TestVolumes.random(
                        VoxelType.FLOAT32,
                        TestVolumes.oblique(),
                        ByteOrder.LITTLE_ENDIAN,
                        2,
                        3,
                        4,
                        2,
                        2);
        WriteOptions one = WriteOptions.defaults().withThreads(1);
        List<Seed> seeds = new ArrayList<>();
        seeds.add(new Seed("nifti1", nifti(int16, one, false), true, false));
        seeds.add(new Seed("nifti1.gz", nifti(int16, one, true), true, true));
        seeds.add(
                new Seed("nifti2-4d", nifti(float4d, one.withNiftiVersion(2), false), true, false));
        seeds.add(
                new Seed(
                        "nifti2-4d.gz", nifti(float4d, one.withNiftiVersion(2), true), true, true));
        seeds.add(
                new Seed("nrrd-raw", nrrd(int16, one.withNrrdGzip(false), Map.of()), false, false));
        seeds.add(new Seed("nrrd-gzip-4d", nrrd(float4d, one, Map.of()), false, true));
        seeds.add(new Seed("seg-nrrd-layers", segLayers(), false, true));
        return seeds;
    }

    private static byte[] nifti(Volume v, WriteOptions options, boolean gzip) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new NiftiWriter(options).write(v, out, gzip);
        return out.toByteArray();
    }

    private static byte[] nrrd(Volume v, WriteOptions options, Map<String, String> keyValues)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new NrrdWriter(options).write(v, out, keyValues);
        return out.toByteArray();
    }

    private static byte[] segLayers() throws IOException {
        String header =
                "NRRD0004\n"
                        + "type: unsigned char\n"
                        + "dimension: 4\n"
                        + "space: left-posterior-superior\n"
                        + "sizes: 2 3 2 2\n"
                        + "space directions: none (1,0,0) (0,1,0) (0,0,1)\n"
                        + "kinds: list domain domain domain\n"
                        + "encoding: gzip\n"
                        + "space origin: (0,0,0)\n"
                        + "Segment0_ID:=Segment_1\n"
                        + "Segment0_LabelValue:=1\n"
                        + "Segment0_Layer:=0\n"
                        + "Segment0_Name:=a\n"
                        + "Segment1_LabelValue:=1\n"
                        + "Segment1_Layer:=1\n"
                        + "Segment1_Color:=0.1 0.2 0.3\n\n";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        byte[] data =
                gzip(
                        new byte[] {
                            1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1
                        });
        byte[] out = Arrays.copyOf(h, h.length + data.length);
        System.arraycopy(data, 0, out, h.length, data.length);
        return out;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] mutate(Seed seed, Random random) throws IOException {
        int strategy = random.nextInt(10);
        if (seed.nifti() && seed.gzip() && strategy < 6) {
            // mutate the content, then compress it again so the header mutation gets through
            byte[] plain;
            try (var in = new GZIPInputStream(new ByteArrayInputStream(seed.bytes()))) {
                plain = in.readAllBytes();
            }
            return gzip(mutateBinary(plain, random, strategy));
        }
        if (!seed.nifti() && strategy < 5) {
            return mutateText(seed.bytes(), random);
        }
        return mutateBinary(seed.bytes(), random, strategy);
    }

    private static byte[] mutateBinary(byte[] original, Random random, int strategy) {
        byte[] b = original.clone();
        int headerRange = Math.min(b.length, 560);
        switch (strategy % 4) {
            case 0 -> { // flip a few bytes, mostly in the header
                int n = 1 + random.nextInt(6);
                for (int k = 0; k < n; k++) {
                    int at =
                            random.nextInt(4) == 0
                                    ? random.nextInt(b.length)
                                    : random.nextInt(headerRange);
                    b[at] = (byte) random.nextInt(256);
                }
            }
            case 1, 2 -> { // an interesting value in a header field
                int width = new int[] {2, 4, 8}[random.nextInt(3)];
                int at = random.nextInt(Math.max(1, headerRange - width)) & ~(width - 1);
                long value = INTERESTING[random.nextInt(INTERESTING.length)];
                ByteBuffer bb =
                        ByteBuffer.wrap(b)
                                .order(
                                        random.nextBoolean()
                                                ? ByteOrder.LITTLE_ENDIAN
                                                : ByteOrder.BIG_ENDIAN);
                if (at + width <= b.length) {
                    switch (width) {
                        case 2 -> bb.putShort(at, (short) value);
                        case 4 -> bb.putInt(at, (int) value);
                        default -> bb.putLong(at, value);
                    }
                }
            }
            default -> { // truncate
                return Arrays.copyOf(b, random.nextInt(b.length));
            }
        }
        return b;
    }

    private static byte[] mutateText(byte[] original, Random random) {
        int end = indexOf(original, "\n\n".getBytes(StandardCharsets.US_ASCII)) + 2;
        String header = new String(original, 0, end, StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>(List.of(header.split("\n", -1)));
        int line = 1 + random.nextInt(Math.max(1, lines.size() - 3));
        String text = lines.get(line);
        switch (random.nextInt(4)) {
            case 0 -> lines.remove(line);
            case 1 -> lines.add(line, text);
            default -> {
                String[] tokens = text.split("(?<=[ ,(:=])|(?=[ ,)])");
                int t = random.nextInt(tokens.length);
                tokens[t] = NUMBERS[random.nextInt(NUMBERS.length)];
                lines.set(line, String.join("", tokens));
            }
        }
        byte[] h = String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = Arrays.copyOf(h, h.length + original.length - end);
        System.arraycopy(original, end, out, h.length, original.length - end);
        return out;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("no blank line");
    }
}
