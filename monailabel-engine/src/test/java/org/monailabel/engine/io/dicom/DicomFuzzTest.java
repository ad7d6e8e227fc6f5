package org.monailabel.engine.io.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;

/**
 * Mutates valid DICOM files (explicit, implicit and deflated, with nested sequences of defined and
 * undefined length) 20,000 times with a fixed seed, and also feeds random bytes after a valid
 * prefix: parsing, every typed accessor on every element, decoding the pixels and assembling the
 * file as a one-slice series must either succeed or throw {@link InvalidImageException}; nothing
 * else (no runtime exception, no out-of-memory error, no hang).
 */
class DicomFuzzTest {
    /** Longer runs: {@code -Ddicom.fuzz.iterations=300000 -Ddicom.fuzz.seed=7}. */
    private static final int ITERATIONS = Integer.getInteger("dicom.fuzz.iterations", 20_000);

    private static final long SEED = Long.getLong("dicom.fuzz.seed", 20261203L);
    private static final long[] INTERESTING = {
        0,
        1,
        2,
        3,
        4,
        7,
        8,
        12,
        16,
        255,
        256,
        0x7FFF,
        0x8000,
        0xFFFF,
        0xFFFE,
        0xE000,
        0xE00D,
        0xE0DD,
        0x7FE0,
        0x7FFFFFFF,
        0x80000000L,
        0xFFFFFFFFL,
        0xFFFFFFFEL,
        0xFFFEE000L,
        0xFFFEE00DL,
        0xFFFEE0DDL,
        100_000
    };

    private record Seed(String name, byte[] bytes, byte[] deflatedDataset) {}

    @Test
    void unmutatedSeedsParseDecodeAndAssemble() throws InvalidImageException {
        for (Seed seed : seeds()) {
            DicomFile file = new DicomParser().parse(seed.bytes());
            walk(file.dataset(), 0);
            assertThat(DicomPixels.of(file).data().remaining()).as(seed.name()).isPositive();
            if (file.dataset().contains(DicomTags.IMAGE_POSITION_PATIENT)) {
                Volume v = new DicomSeries().assemble(List.of(file));
                assertThat(v.type()).as(seed.name()).isEqualTo(VoxelType.FLOAT32);
                assertThat(v.get(2, 1, 0)).as(seed.name()).isEqualTo(32767 * 1.5);
            }
        }
    }

    @Test
    void mutatedFilesParseOrFailWithInvalidImageExceptionOnly() {
        assertTimeoutPreemptively(Duration.ofMinutes(2), this::run);
    }

    private void run() {
        List<Seed> seeds = seeds();
        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        int successes = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            Seed seed = seeds.get(i % seeds.size());
            byte[] mutated;
            if (seed.deflatedDataset() != null && random.nextInt(3) > 0) {
                // mutate the inflated dataset and deflate it again, so the mutation gets through
                mutated =
                        DicomBytes.file(
                                DicomParserTest.DEFLATED,
                                DicomBytes.deflate(mutate(seed.deflatedDataset(), random, 0)));
            } else if (random.nextInt(20) == 0) {
                mutated = randomTail(seed.bytes(), random);
            } else {
                mutated = mutate(seed.bytes(), random, 132);
                if (random.nextInt(3) == 0) {
                    mutated = mutate(mutated, random, 132);
                }
            }
            try {
                exercise(new DicomParser().parse(mutated));
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
                                    + Arrays.toString(Arrays.copyOf(t.getStackTrace(), 4))
                                    + " bytes "
                                    + HexFormat.of().formatHex(mutated, 132, mutated.length));
                }
            }
        }
        assertThat(failures).as("non-InvalidImageException failures").isEmpty();
        assertThat(successes).as("some mutations still parse").isPositive();
    }

    /** Calls every accessor on every element (recursively) and decodes the pixels. */
    private static void exercise(DicomFile file) throws InvalidImageException {
        walk(file.meta(), 0);
        walk(file.dataset(), 0);
        try {
            DicomPixels px = DicomPixels.of(file);
            assertThat(px.data().remaining())
                    .isEqualTo((long) px.columns() * px.rows() * px.frames() * px.type().bytes());
        } catch (InvalidImageException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
        try {
            Volume v = new DicomSeries().assemble(List.of(file));
            assertThat(v.data().remaining()).isEqualTo(v.byteCount());
        } catch (InvalidImageException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    private static void walk(DicomDataset ds, int depth) {
        assertThat(depth).isLessThanOrEqualTo(DicomParser.MAX_DEPTH);
        for (DicomElement e : ds.elements()) {
            int tag = e.tag();
            for (int k = 0; k < 5; k++) {
                try {
                    switch (k) {
                        case 0 -> ds.strings(tag);
                        case 1 -> ds.doubles(tag);
                        case 2 -> ds.ints(tag);
                        case 3 -> ds.string(tag);
                        default -> {
                            for (DicomDataset item : ds.sequence(tag)) {
                                walk(item, depth + 1);
                            }
                        }
                    }
                } catch (InvalidImageException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                }
            }
            assertThat(e.bytes()).hasSize(e.length());
        }
    }

    private static List<Seed> seeds() {
        List<Seed> seeds = new ArrayList<>();
        byte[] explicit = DicomParserTest.sample(true);
        seeds.add(new Seed("explicit", explicit, null));
        seeds.add(new Seed("implicit", DicomParserTest.sample(false), null));
        byte[] dataset =
                Arrays.copyOfRange(explicit, DicomParserTest.dataStart(explicit), explicit.length);
        seeds.add(
                new Seed(
                        "deflated",
                        DicomBytes.file(DicomParserTest.DEFLATED, DicomBytes.deflate(dataset)),
                        dataset));
        DicomBytes item = new DicomBytes(true).string(DicomTags.PATIENT_ID, "LO", "ABC");
        byte[] itemBytes = item.bytes();
        DicomBytes defined = new DicomBytes(true);
        defined.header(DicomTags.REFERENCED_IMAGE_SEQUENCE, "SQ", 16 + 2L * itemBytes.length);
        defined.item(DicomTags.ITEM, itemBytes.length).raw(itemBytes);
        defined.item(DicomTags.ITEM, itemBytes.length).raw(itemBytes);
        defined.string(DicomTags.PIXEL_SPACING, "DS", "0.5\\0.5");
        defined.image(3, 3, 8, 0, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 0});
        seeds.add(
                new Seed(
                        "defined-sq-u8",
                        DicomBytes.file(DicomParserTest.EXPLICIT, defined.bytes()),
                        null));
        DicomBytes implicitDefined = new DicomBytes(false);
        implicitDefined.header(DicomTags.REFERENCED_IMAGE_SEQUENCE, "SQ", 8 + itemBytes.length);
        implicitDefined
                .item(DicomTags.ITEM, itemBytes.length)
                .raw(new DicomBytes(false).string(DicomTags.PATIENT_ID, "LO", "ABC").bytes());
        implicitDefined.header(0x00091020, "UN", -1).item(DicomTags.ITEM, -1);
        implicitDefined
                .item(DicomTags.ITEM_DELIMITATION, 0)
                .item(DicomTags.SEQUENCE_DELIMITATION, 0);
        implicitDefined.image(2, 2, 16, 0, new byte[8]);
        seeds.add(
                new Seed(
                        "implicit-defined-sq",
                        DicomBytes.file(DicomParserTest.IMPLICIT, implicitDefined.bytes()),
                        null));
        return seeds;
    }

    private static byte[] mutate(byte[] original, Random random, int from) {
        byte[] b = original.clone();
        int span = b.length - from;
        if (span < 1) {
            return b;
        }
        switch (random.nextInt(4)) {
            case 0 -> { // flip a few bytes
                int n = 1 + random.nextInt(6);
                for (int k = 0; k < n; k++) {
                    b[from + random.nextInt(span)] = (byte) random.nextInt(256);
                }
            }
            case 1, 2 -> { // an interesting value in a 2- or 4-byte field (tags, VRs, lengths)
                int width = random.nextBoolean() ? 2 : 4;
                int at = from + random.nextInt(Math.max(1, span - width));
                long value = INTERESTING[random.nextInt(INTERESTING.length)];
                ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                if (at + width <= b.length) {
                    if (width == 2) {
                        bb.putShort(at, (short) value);
                    } else {
                        bb.putInt(at, (int) value);
                    }
                }
            }
            default -> { // truncate
                return Arrays.copyOf(b, from + random.nextInt(span));
            }
        }
        return b;
    }

    /** The preamble, DICM and meta group of a seed, then random bytes. */
    private static byte[] randomTail(byte[] seed, Random random) {
        int start = DicomParserTest.dataStart(seed);
        byte[] b = Arrays.copyOf(seed, start + random.nextInt(400));
        for (int i = start; i < b.length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }
}
