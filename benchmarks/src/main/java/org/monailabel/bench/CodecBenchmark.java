package org.monailabel.bench;

import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.io.nifti.NiftiReader;
import org.monailabel.engine.io.nifti.NiftiWriter;

/**
 * NIfTI codec speed and memory on a 512x512x300 int16 CT-like volume (150 MiB of voxels): read
 * throughput of {@code .nii}, {@code .nii.gz} read against a bare {@link Inflater} loop over the
 * same file, parallel level-1 write against single-threaded level 6, heap use per read, and nibabel
 * on the same files ({@code /usr/bin/python3}) for ratios.
 *
 * <p>Run: {@code benchmarks/run CodecBenchmark [workDir]}.
 */
public final class CodecBenchmark {
    private static final int NX = 512;
    private static final int NY = 512;
    private static final int NZ = 300;
    private static final double MIB = 1024 * 1024;

    private CodecBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("codec-bench");
        Files.createDirectories(dir);
        int threads = Runtime.getRuntime().availableProcessors();
        System.out.printf(
                Locale.ROOT,
                "Machine: %d processors, max heap %.0f MiB, %s %s%n",
                threads,
                Runtime.getRuntime().maxMemory() / MIB,
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
        Volume ct = ctLike();
        double mib = ct.byteCount() / MIB;
        System.out.printf(Locale.ROOT, "Volume %dx%dx%d int16 = %.1f MiB%n%n", NX, NY, NZ, mib);

        Path nii = dir.resolve("bench.nii");
        Path gz1 = dir.resolve("bench_l1.nii.gz");
        Path gz6 = dir.resolve("bench_l6.nii.gz");
        double writeRaw = best(2, () -> new NiftiWriter(WriteOptions.defaults()).write(ct, nii));
        double writeL1 =
                best(
                        2,
                        () ->
                                new NiftiWriter(WriteOptions.defaults().withGzipLevel(1))
                                        .write(ct, gz1));
        double writeL1Single =
                best(
                        1,
                        () ->
                                new NiftiWriter(
                                                WriteOptions.defaults()
                                                        .withGzipLevel(1)
                                                        .withThreads(1))
                                        .write(ct, gz1));
        double writeL6 =
                best(
                        1,
                        () ->
                                new NiftiWriter(
                                                WriteOptions.defaults()
                                                        .withGzipLevel(6)
                                                        .withThreads(1))
                                        .write(ct, gz6));
        new NiftiWriter(WriteOptions.defaults().withGzipLevel(1)).write(ct, gz1);

        double readRaw = best(3, () -> new NiftiReader().read(nii));
        double readGz = best(3, () -> new NiftiReader().read(gz1));
        double inflate = best(3, () -> bareInflate(gz1));
        long[] heapRaw = heapOfRead(nii);
        long[] heapGz = heapOfRead(gz1);

        row("write .nii", writeRaw, mib, Files.size(nii));
        row("write .nii.gz level 1, " + threads + " threads", writeL1, mib, Files.size(gz1));
        row("write .nii.gz level 1, 1 thread", writeL1Single, mib, Files.size(gz1));
        row("write .nii.gz level 6, 1 thread", writeL6, mib, Files.size(gz6));
        row("read .nii", readRaw, mib, Files.size(nii));
        row("read .nii.gz (level 1 file)", readGz, mib, Files.size(gz1));
        row("bare Inflater loop, same file", inflate, mib, Files.size(gz1));
        System.out.printf(
                Locale.ROOT,
                "%nHeap per read: .nii allocated %.1f MiB, peak heap %.1f MiB;"
                        + " .nii.gz allocated %.1f MiB, peak heap %.1f MiB (voxels %.1f MiB)%n",
                heapRaw[0] / MIB,
                heapRaw[1] / MIB,
                heapGz[0] / MIB,
                heapGz[1] / MIB,
                mib);
        System.out.printf(
                Locale.ROOT,
                "Ratios: gz read / bare inflate = %.2f; level-1 parallel write speed-up over"
                        + " level 6 single = %.1fx%n%n",
                readGz / inflate,
                writeL6 / writeL1);
        nibabel(dir, nii, gz1, mib, readRaw, readGz, writeL1);
    }

    interface Action {
        void run() throws Exception;
    }

    private static double best(int reps, Action action) throws Exception {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            action.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    private static void row(String what, double seconds, double mib, long fileBytes) {
        System.out.printf(
                Locale.ROOT,
                "%-40s %7.3f s  %7.1f MiB/s of voxels  (file %.1f MiB)%n",
                what,
                seconds,
                mib / seconds,
                fileBytes / MIB);
    }

    /** A smooth body with organs and noise, so compression ratios look like CT. */
    private static Volume ctLike() {
        ByteBuffer data = ByteBuffer.allocate(NX * NY * NZ * 2).order(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(42);
        for (int z = 0; z < NZ; z++) {
            for (int y = 0; y < NY; y++) {
                for (int x = 0; x < NX; x++) {
                    double dx = (x - 256) / 200.0;
                    double dy = (y - 256) / 150.0;
                    double r = dx * dx + dy * dy;
                    double hu = r > 1 ? -1000 : r > 0.8 ? -100 : 40 + 20 * Math.sin(z / 20.0);
                    data.putShort((short) (hu + random.nextGaussian() * 20));
                }
            }
        }
        data.flip();
        Affine affine = Affine.diagonal(0.78, 0.78, 1.5).withTranslation(-200, -200, -225);
        return Volume.of(VoxelType.INT16, new int[] {NX, NY, NZ}, data, affine, Map.of());
    }

    private static long bareInflate(Path gz) throws IOException, DataFormatException {
        Inflater inflater = new Inflater(true);
        byte[] in = new byte[1 << 16];
        byte[] out = new byte[1 << 20];
        long total = 0;
        try (InputStream stream = Files.newInputStream(gz)) {
            stream.readNBytes(10); // our writer's gzip header has no optional fields
            while (!inflater.finished()) {
                if (inflater.needsInput()) {
                    int n = stream.read(in);
                    if (n < 0) {
                        break;
                    }
                    inflater.setInput(in, 0, n);
                }
                total += inflater.inflate(out);
            }
        } finally {
            inflater.end();
        }
        return total;
    }

    /** Bytes allocated by the reading thread and the peak heap (sum of pool peaks) of one read. */
    private static long[] heapOfRead(Path file) throws IOException {
        System.gc();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                used += pool.getUsage().getUsed();
                pool.resetPeakUsage();
            }
        }
        long before = threads.getThreadAllocatedBytes(tid);
        Volume v = new NiftiReader().read(file);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        if (v.voxelCount() == 0) {
            throw new AssertionError();
        }
        return new long[] {allocated, peak - used};
    }

    private static void nibabel(
            Path dir, Path nii, Path gz, double mib, double readRaw, double readGz, double writeL1)
            throws IOException, InterruptedException {
        String script =
                """
                import sys, time, numpy as np, nibabel as nib
                def best(f, n=3):
                    b = 1e9
                    for _ in range(n):
                        t = time.perf_counter(); f(); b = min(b, time.perf_counter() - t)
                    return b
                raw = best(lambda: np.asanyarray(nib.load(sys.argv[1]).dataobj).sum())
                gz = best(lambda: np.asanyarray(nib.load(sys.argv[2]).dataobj).sum())
                img = nib.load(sys.argv[1])
                data = np.asanyarray(img.dataobj)
                w = best(lambda: nib.save(nib.Nifti1Image(data, img.affine, img.header), sys.argv[3]), 1)
                print(raw, gz, w)
                """;
        Path py = dir.resolve("nibabel_bench.py");
        Files.writeString(py, script, StandardCharsets.UTF_8);
        Process p =
                new ProcessBuilder(
                                "/usr/bin/python3",
                                py.toString(),
                                nii.toString(),
                                gz.toString(),
                                dir.resolve("nibabel_out.nii.gz").toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            System.out.println("nibabel not run: " + out);
            return;
        }
        String[] t = out.split("\\s+");
        double nRaw = Double.parseDouble(t[0]);
        double nGz = Double.parseDouble(t[1]);
        double nWrite = Double.parseDouble(t[2]);
        System.out.printf(
                Locale.ROOT,
                "nibabel read .nii    %7.3f s (ours %.3f s; nibabel/ours = %.2f)%n",
                nRaw,
                readRaw,
                nRaw / readRaw);
        System.out.printf(
                Locale.ROOT,
                "nibabel read .nii.gz %7.3f s (ours %.3f s; nibabel/ours = %.2f)%n",
                nGz,
                readGz,
                nGz / readGz);
        System.out.printf(
                Locale.ROOT,
                "nibabel write .nii.gz (its default level) %7.3f s (ours level 1 parallel"
                        + " %.3f s; nibabel/ours = %.2f)%n",
                nWrite,
                writeL1,
                nWrite / writeL1);
    }
}
