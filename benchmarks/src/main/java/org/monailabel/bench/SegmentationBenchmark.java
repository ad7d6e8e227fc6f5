package org.monailabel.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.monailabel.api.Params;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.LoadedModel;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.Network;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.engine.sample.PhantomGenerator;
import org.monailabel.engine.sample.StorageOrder;
import org.monailabel.engine.segmentation.Latencies;
import org.monailabel.engine.segmentation.ResultFiles;
import org.monailabel.engine.segmentation.SegmentationPipeline;

/**
 * End-to-end automatic segmentation with MONAI Label's spleen settings (UNet 16..256, 1 mm, ROI
 * 160, overlap 0.25): image file in, label file out, on phantom CTs at 0.8x0.8x2.5 mm.
 *
 * <pre>benchmarks/run SegmentationBenchmark [runs=5] [sizes=224x224x144,512x512x120]</pre>
 *
 * Set {@code -Dai.djl.pytorch.num_threads=N} (via JAVA_TOOL_OPTIONS) to try intra-op threads.
 */
public final class SegmentationBenchmark {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String[] sizes = (args.length > 1 ? args[1] : "224x224x144,512x512x120").split(",");
        Devices.engine();
        Path dir = Files.createTempDirectory("segbench");
        ModelCard card =
                new ModelCard(
                        "segmentation",
                        0,
                        "unet",
                        UNetConfig.spleen(1, 2).toMap(),
                        "model.params",
                        Map.of("background", 0, "spleen", 1),
                        new double[] {1, 1, 1},
                        IntensityWindow.ct(-57, 164),
                        new int[] {160, 160, 160},
                        0.25,
                        1,
                        BlendMode.CONSTANT,
                        Map.of("weights", "random (timing only)"));
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Block block = UNet.build(UNetConfig.spleen(1, 2));
            block.initialize(m, DataType.FLOAT32, new Shape(1, 1, 16, 16, 16));
            LoadedModel.save(card, block, dir.resolve("model"));
        }
        System.out.printf(
                "machine: %d cores, max heap %d MiB, intra-op threads %s%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
        try (LoadedModel model = LoadedModel.load(dir.resolve("model/model.json"), Device.cpu())) {
            for (String size : sizes) {
                int[] shape = Arrays.stream(size.split("x")).mapToInt(Integer::parseInt).toArray();
                Volume ct =
                        PhantomGenerator.render(
                                        "bench",
                                        7,
                                        shape,
                                        new double[] {0.8, 0.8, 2.5},
                                        StorageOrder.LPS)
                                .image();
                Path input = dir.resolve("ct_" + size + ".nii.gz");
                ImageIo.write(ct, input, WriteOptions.defaults());
                run(model, input, runs, ct.voxelCount() * 4L, dir);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(LoadedModel model, Path input, int runs, long inputFloatBytes, Path dir)
            throws Exception {
        Map<String, List<Double>> stages = new LinkedHashMap<>();
        List<Double> forward = new ArrayList<>();
        List<Long> rss = new ArrayList<>();
        resetPeaks();
        try (Network network = model.newNetwork()) {
            double[] forwardSeconds = new double[1];
            Network timed =
                    new Network() {
                        @Override
                        public NDArray forward(NDArray batch, boolean monteCarlo) {
                            long t = System.nanoTime();
                            NDArray out = network.forward(batch, monteCarlo);
                            out.sum().getFloat(); // waits for the computation (asynchronous on a
                            // GPU), copies 4 bytes
                            forwardSeconds[0] += (System.nanoTime() - t) / 1e9;
                            return out;
                        }

                        @Override
                        public void close() {}
                    };
            for (int i = 0; i <= runs; i++) { // run 0 warms up
                forwardSeconds[0] = 0;
                Latencies latencies = new Latencies();
                Volume label =
                        SegmentationPipeline.run(
                                ImageIo.read(input),
                                model.card(),
                                timed,
                                Device.cpu(),
                                Params.empty(),
                                latencies);
                Path out =
                        ResultFiles.write(
                                label, input, Params.of(Map.of("result_extension", ".nrrd")), dir);
                latencies.mark("write");
                Files.delete(out);
                if (i == 0) {
                    continue;
                }
                latencies
                        .toMap()
                        .forEach(
                                (k, v) -> {
                                    if (v instanceof Double d) {
                                        stages.computeIfAbsent(k, x -> new ArrayList<>()).add(d);
                                    }
                                });
                forward.add(forwardSeconds[0]);
                rss.add(rssKiB());
            }
        }
        System.out.printf("%n%s (%d runs after warm-up)%n", input.getFileName(), runs);
        stages.forEach((k, v) -> System.out.printf("  %-8s median %7.3f s%n", k, median(v)));
        double total = median(stages.get("total"));
        double net = median(forward);
        System.out.printf(
                "  network forward passes median %.3f s = %.1f%% of total; everything else"
                        + " %.1f%%%n",
                net, 100 * net / total, 100 * (total - net) / total);
        System.out.printf(
                "  RSS after each run (MiB): %s%n",
                rss.stream().map(k -> Long.toString(k >> 10)).toList());
        System.out.printf(
                "  peak heap %d MiB = %.2fx the input's float32 size (%d MiB)%n",
                peakHeap() >> 20, (double) peakHeap() / inputFloatBytes, inputFloatBytes >> 20);
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static long rssKiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    static void resetPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed())
                .sum();
    }
}
