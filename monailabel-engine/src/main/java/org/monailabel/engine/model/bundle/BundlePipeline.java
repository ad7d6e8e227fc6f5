package org.monailabel.engine.model.bundle;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.IntStream;
import org.monailabel.api.error.InferenceFailedException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.inferer.DenseArray;
import org.monailabel.engine.inferer.SlidingWindowInferer;
import org.monailabel.engine.model.Network;
import org.monailabel.engine.postprocess.ConnectedComponents;
import org.monailabel.engine.postprocess.LabelMaps;
import org.monailabel.engine.segmentation.Latencies;
import org.monailabel.engine.transform.Grid;
import org.monailabel.engine.transform.Interpolation;
import org.monailabel.engine.transform.Orientation;
import org.monailabel.engine.transform.Resample;
import org.monailabel.engine.transform.Spacing;

/**
 * Runs a bundle's model as its {@link BundleSpec} says, step by step in the bundle's order:
 * orientation and spacing planned as MONAI plans them and applied in one resampling from the stored
 * grid (trilinear for {@code bilinear}, nearest for {@code nearest}, border padding), the intensity
 * steps on the resampled image, {@code CropForegroundd} on it, the sliding window, then the
 * post-processing: activations on the network grid, {@code Invertd} (the crop padded back with
 * zeros, then the prediction resampled onto the input grid, trilinear unless {@code nearest_interp}
 * or already a label), {@code AsDiscreted} and {@code KeepLargestConnectedComponentd} wherever the
 * bundle puts them. The label always ends on exactly the input's grid and affine. {@link #check}
 * refuses, before anything runs, the chains this class does not reproduce exactly. Stateless.
 */
public final class BundlePipeline {
    private BundlePipeline() {}

    /**
     * Refuses what {@link #run} cannot reproduce, naming the bundle, the transform and the key.
     *
     * @throws BundleException for such a chain
     */
    public static void check(BundleSpec spec) {
        boolean resampled = false;
        boolean spatialAfterIntensity = false;
        boolean intensity = false;
        for (BundleStep step : spec.pre()) {
            if (step instanceof BundleStep.Orientation o) {
                if (!o.axcodes().equals("RAS")) {
                    throw new BundleException(
                            spec.name(),
                            "Orientationd.axcodes '" + o.axcodes() + "' is not served (RAS)");
                }
                spatialAfterIntensity |= intensity || resampled;
            } else if (step instanceof BundleStep.Spacing) {
                spatialAfterIntensity |= intensity || resampled;
                resampled = true;
            } else if (step instanceof BundleStep.CropForeground c) {
                if (c.kDivisible() != 1) {
                    throw new BundleException(
                            spec.name(),
                            "CropForegroundd.k_divisible " + c.kDivisible() + " is not served (1)");
                }
                if (!c.sourceKey().equals("image")) {
                    throw new BundleException(
                            spec.name(),
                            "CropForegroundd.source_key '"
                                    + c.sourceKey()
                                    + "' is not served (image)");
                }
                resampled = true; // a later spatial step would have to crop first
            } else if (step instanceof BundleStep.ScaleIntensityRange
                    || step instanceof BundleStep.NormalizeIntensity
                    || step instanceof BundleStep.ScaleIntensity) {
                intensity = true;
            }
            if (spatialAfterIntensity) {
                throw new BundleException(
                        spec.name(),
                        step.transform()
                                + " after an intensity or crop step is not"
                                + " served (spatial steps first)");
            }
        }
        boolean inverted = false;
        boolean discrete = false;
        for (BundleStep step : spec.post()) {
            if (step instanceof BundleStep.Invert i) {
                if (inverted) {
                    throw new BundleException(
                            spec.name(), "Invertd appears twice in postprocessing");
                }
                if (discrete && !i.nearestInterp()) {
                    throw new BundleException(
                            spec.name(),
                            "Invertd.nearest_interp false after AsDiscreted "
                                    + "would interpolate label values; it is not served");
                }
                inverted = true;
            } else if (step instanceof BundleStep.AsDiscrete) {
                discrete = true;
            } else if (step instanceof BundleStep.KeepLargestComponent k) {
                if (!discrete) {
                    throw new BundleException(
                            spec.name(),
                            "KeepLargestConnectedComponentd before AsDiscreted " + "is not served");
                }
                if (!k.independent()) {
                    throw new BundleException(
                            spec.name(),
                            "KeepLargestConnectedComponentd.independent false"
                                    + " is not served (true)");
                }
            } else if (step instanceof BundleStep.Activation) {
                if (discrete) {
                    throw new BundleException(
                            spec.name(), "Activationsd after AsDiscreted is not served");
                }
            } else {
                throw new BundleException(
                        spec.name(), step.transform() + " in postprocessing is not served");
            }
        }
        if (!inverted) {
            throw new BundleException(
                    spec.name(),
                    "postprocessing has no Invertd: its label would not be on the "
                            + "image's grid");
        }
        if (!discrete) {
            throw new BundleException(
                    spec.name(), "postprocessing has no AsDiscreted: it would not end in a label");
        }
    }

    /** A prediction on a grid: scores {@code (C, X, Y, Z)}, or a label map. */
    private record State(DenseArray scores, Volume labels, Grid grid) {
        static State scores(DenseArray scores, Grid grid) {
            return new State(scores, null, grid);
        }

        static State labels(Volume labels) {
            return new State(null, labels, new Grid(shape3(labels), labels.affine()));
        }

        boolean discrete() {
            return labels != null;
        }
    }

    /**
     * A pre-processed image.
     *
     * @param input the network input {@code (1, X, Y, Z)}
     * @param grid the grid of the input (after the crop, if any)
     * @param resampled the grid after the spatial steps, before the crop
     * @param original the image's own grid
     * @param cropStart where the crop starts on {@code resampled}, or null
     */
    record Prepared(DenseArray input, Grid grid, Grid resampled, Grid original, int[] cropStart) {}

    /**
     * Segments an image as the bundle says.
     *
     * @return the label map on the input grid, {@code uint8}
     */
    public static Volume run(
            Volume image, BundleSpec spec, Network network, Device device, Latencies latencies) {
        Prepared prepared = prepare(image, spec);
        image = null; // only its grid is needed from here on
        latencies.mark("pre");
        DenseArray logits = infer(prepared, spec, network, device);
        latencies.mark("infer");
        Volume label = post(logits, prepared, spec);
        latencies.mark("post");
        return label;
    }

    /** The pre-processing. */
    static Prepared prepare(Volume image, BundleSpec spec) {
        if (image.channels() != 1) {
            throw new InvalidInputException(
                    "Image has "
                            + image.channels()
                            + " channels; bundle '"
                            + spec.name()
                            + "' reads one");
        }
        Grid original = new Grid(shape3(image), image.affine());
        Grid resampled = plan(image, spec);
        DenseArray x = resample(image, resampled, spec);
        Grid grid = resampled;
        int[] cropStart = null;
        for (BundleStep step : spec.pre()) {
            if (step instanceof BundleStep.ScaleIntensityRange s) {
                scaleIntensityRange(x.data(), s);
            } else if (step instanceof BundleStep.NormalizeIntensity n) {
                normalize(x.data(), n);
            } else if (step instanceof BundleStep.ScaleIntensity s) {
                scaleIntensity(x.data(), s);
            } else if (step instanceof BundleStep.CropForeground c) {
                int[][] box = foregroundBox(x, c.margin());
                cropStart = box[0];
                x = crop(x, box);
                double[] origin = grid.affine().apply(box[0][0], box[0][1], box[0][2]);
                grid =
                        new Grid(
                                size(box),
                                grid.affine().withTranslation(origin[0], origin[1], origin[2]));
            }
            // spatial steps are done by the resampling above; the rest change nothing
        }
        return new Prepared(x, grid, resampled, original, cropStart);
    }

    /** The sliding window over the prepared input: the network's output {@code (C, X, Y, Z)}. */
    static DenseArray infer(Prepared prepared, BundleSpec spec, Network network, Device device) {
        BundleSpec.Inferer settings = spec.inferer();
        SlidingWindowInferer inferer =
                new SlidingWindowInferer(
                        settings.roiSize(),
                        settings.overlap(),
                        settings.swBatchSize(),
                        settings.mode(),
                        0.125);
        try (NDManager manager = NDManager.newBaseManager(device)) {
            DenseArray logits =
                    inferer.run(prepared.input(), batch -> network.forward(batch, false), manager);
            checkChannels(logits.shape()[0], spec);
            return logits;
        }
    }

    /**
     * Refuses a network whose output does not fit the bundle's labels when an argmax makes the
     * label map: one channel per label of {@code channel_def}, background included, or the label
     * map would hold values no label names (or never hold some that are named).
     */
    static void checkChannels(int channels, BundleSpec spec) {
        boolean argmax =
                spec.post().stream()
                        .anyMatch(s -> s instanceof BundleStep.AsDiscrete a && a.argmax());
        if (!argmax) {
            return;
        }
        int expected =
                spec.labels().values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        if (channels != expected) {
            throw new InferenceFailedException(
                    "Bundle '"
                            + spec.name()
                            + "': its network gives "
                            + channels
                            + " output channels, but metadata.json's channel_def names labels 0.."
                            + (expected - 1)
                            + " ("
                            + expected
                            + " channels)");
        }
    }

    /** The post-processing of the network's output: the label on the image's own grid. */
    static Volume post(DenseArray logits, Prepared prepared, BundleSpec spec) {
        State state = State.scores(logits, prepared.grid());
        List<BundleStep> post = spec.post();
        for (int n = 0; n < post.size(); n++) {
            BundleStep step = post.get(n);
            if (step instanceof BundleStep.Invert i
                    && !i.nearestInterp()
                    && !state.discrete()
                    && n + 1 < post.size()
                    && post.get(n + 1) instanceof BundleStep.AsDiscrete a
                    && a.argmax()) {
                // Invertd then argmax in one pass: no channel of scores is kept on the input grid
                DenseArray scores =
                        prepared.cropStart() == null
                                ? state.scores()
                                : uncrop(
                                        state.scores(), prepared.cropStart(), prepared.resampled());
                state =
                        State.labels(
                                argmaxOnto(
                                        scores,
                                        prepared.resampled().affine(),
                                        prepared.original()));
                n++;
                continue;
            }
            if (step instanceof BundleStep.Activation a) {
                DenseArray scores =
                        a.softmax()
                                ? LabelMaps.softmax(state.scores())
                                : a.sigmoid() ? LabelMaps.sigmoid(state.scores()) : state.scores();
                state = State.scores(scores, state.grid());
            } else if (step instanceof BundleStep.Invert i) {
                state =
                        invert(
                                state,
                                prepared.cropStart(),
                                prepared.resampled(),
                                prepared.original(),
                                i.nearestInterp());
            } else if (step instanceof BundleStep.AsDiscrete a) {
                state = State.labels(discrete(state, a, spec));
            } else if (step instanceof BundleStep.KeepLargestComponent k) {
                List<Integer> values =
                        k.appliedLabels().isEmpty()
                                ? List.copyOf(spec.labels().values())
                                : k.appliedLabels();
                state =
                        State.labels(
                                LabelMaps.keepLargestComponent(
                                        state.labels(),
                                        values,
                                        ConnectedComponents.Connectivity.TWENTY_SIX));
            }
        }
        if (!state.discrete() || !state.grid().equals(prepared.original())) {
            throw new IllegalStateException(
                    "bundle '" + spec.name() + "' did not end in a label on the input grid");
        }
        return state.labels();
    }

    private static int[] shape3(Volume v) {
        return new int[] {v.sizeX(), v.sizeY(), v.sizeZ()};
    }

    /** The grid after the spatial steps, as MONAI's Orientationd and Spacingd plan it. */
    static Grid plan(Volume image, BundleSpec spec) {
        int[] shape = shape3(image);
        Affine affine = image.affine();
        for (BundleStep step : spec.pre()) {
            if (step instanceof BundleStep.Orientation) {
                Orientation toRas = Orientation.toRas(affine);
                int[] oriented = toRas.apply(shape);
                affine = toRas.apply(affine, shape);
                shape = oriented;
            } else if (step instanceof BundleStep.Spacing s) {
                Grid g = new Spacing(s.pixdim()).plan(shape, affine);
                shape = g.shape();
                affine = g.affine();
            }
        }
        return new Grid(shape, affine);
    }

    private static DenseArray resample(Volume image, Grid grid, BundleSpec spec) {
        boolean nearest =
                spec.pre().stream()
                        .anyMatch(
                                s ->
                                        s instanceof BundleStep.Spacing sp
                                                && sp.mode().equals("nearest"));
        int[] g = grid.shape();
        float[] dense =
                nearest
                        ? DenseArray.fromVolume(
                                        Resample.resample(image, grid, Interpolation.NEAREST))
                                .data()
                        : Resample.resampleToDense(image, grid);
        return new DenseArray(new int[] {1, g[0], g[1], g[2]}, dense);
    }

    /**
     * MONAI's ScaleIntensityRange: {@code (x - a_min) / (a_max - a_min)}, then onto {@code [b_min,
     * b_max]}.
     */
    static void scaleIntensityRange(float[] x, BundleStep.ScaleIntensityRange s) {
        double range = s.aMax() - s.aMin();
        boolean toB = s.bMin().isPresent() && s.bMax().isPresent();
        double bMin = s.bMin().orElse(0.0);
        double bMax = s.bMax().orElse(1.0);
        for (int i = 0; i < x.length; i++) {
            double v = (x[i] - s.aMin()) / range;
            if (toB) {
                v = v * (bMax - bMin) + bMin;
            }
            if (s.clip()) {
                if (s.bMin().isPresent()) {
                    v = Math.max(v, Math.min(bMin, bMax));
                }
                if (s.bMax().isPresent()) {
                    v = Math.min(v, Math.max(bMin, bMax));
                }
            }
            x[i] = (float) v;
        }
    }

    /**
     * MONAI's NormalizeIntensity (population standard deviation; a zero deviation divides by 1).
     */
    static void normalize(float[] x, BundleStep.NormalizeIntensity n) {
        double sum = 0;
        double squares = 0;
        long count = 0;
        for (float v : x) {
            if (!n.nonzero() || v != 0) {
                sum += v;
                squares += (double) v * v;
                count++;
            }
        }
        if (count == 0) {
            return;
        }
        double mean = sum / count;
        double std = Math.sqrt(Math.max(0, squares / count - mean * mean));
        double subtrahend = n.subtrahend().orElse(mean);
        double divisor = n.divisor().orElse(std == 0 ? 1 : std);
        for (int i = 0; i < x.length; i++) {
            if (!n.nonzero() || x[i] != 0) {
                x[i] = (float) ((x[i] - subtrahend) / divisor);
            }
        }
    }

    /**
     * MONAI's ScaleIntensity: the image's range onto {@code [minv, maxv]} (a flat image becomes
     * {@code minv}).
     */
    static void scaleIntensity(float[] x, BundleStep.ScaleIntensity s) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        for (int i = 0; i < x.length; i++) {
            x[i] =
                    max == min
                            ? (float) s.minv()
                            : (float)
                                    ((x[i] - min) / ((double) max - min) * (s.maxv() - s.minv())
                                            + s.minv());
        }
    }

    /**
     * The box of the voxels above zero with {@code margin} around, clipped to the image: {start,
     * end}.
     */
    static int[][] foregroundBox(DenseArray x, int[] margin) {
        int[] s = x.shape();
        int nx = s[1];
        int ny = s[2];
        int nz = s[3];
        int[] lo = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
        int[] hi = {-1, -1, -1};
        float[] d = x.data();
        for (int i = 0; i < nx; i++) {
            for (int j = 0; j < ny; j++) {
                int base = (i * ny + j) * nz;
                for (int k = 0; k < nz; k++) {
                    if (d[base + k] > 0) {
                        int[] p = {i, j, k};
                        for (int a = 0; a < 3; a++) {
                            lo[a] = Math.min(lo[a], p[a]);
                            hi[a] = Math.max(hi[a], p[a]);
                        }
                    }
                }
            }
        }
        if (hi[0] < 0) {
            throw new InvalidInputException(
                    "CropForegroundd: the image has no voxel above zero to crop to");
        }
        int[] dims = {nx, ny, nz};
        int[][] box = new int[2][3];
        for (int a = 0; a < 3; a++) {
            box[0][a] = Math.max(0, lo[a] - margin[a]);
            box[1][a] = Math.min(dims[a], hi[a] + 1 + margin[a]);
        }
        return box;
    }

    private static int[] size(int[][] box) {
        return new int[] {box[1][0] - box[0][0], box[1][1] - box[0][1], box[1][2] - box[0][2]};
    }

    private static DenseArray crop(DenseArray x, int[][] box) {
        int[] s = x.shape();
        int[] size = size(box);
        float[] out = new float[s[0] * size[0] * size[1] * size[2]];
        int o = 0;
        for (int c = 0; c < s[0]; c++) {
            for (int i = box[0][0]; i < box[1][0]; i++) {
                for (int j = box[0][1]; j < box[1][1]; j++) {
                    int base = ((c * s[1] + i) * s[2] + j) * s[3];
                    System.arraycopy(x.data(), base + box[0][2], out, o, size[2]);
                    o += size[2];
                }
            }
        }
        return new DenseArray(new int[] {s[0], size[0], size[1], size[2]}, out);
    }

    /** Scores padded back from the crop with zeros onto the resampled grid. */
    private static DenseArray uncrop(DenseArray x, int[] start, Grid full) {
        int[] s = x.shape();
        int[] g = full.shape();
        float[] out = new float[s[0] * g[0] * g[1] * g[2]];
        for (int c = 0; c < s[0]; c++) {
            for (int i = 0; i < s[1]; i++) {
                for (int j = 0; j < s[2]; j++) {
                    int from = ((c * s[1] + i) * s[2] + j) * s[3];
                    int to = ((c * g[0] + i + start[0]) * g[1] + j + start[1]) * g[2] + start[2];
                    System.arraycopy(x.data(), from, out, to, s[3]);
                }
            }
        }
        return new DenseArray(new int[] {s[0], g[0], g[1], g[2]}, out);
    }

    private static State invert(
            State state, int[] cropStart, Grid resampled, Grid input, boolean nearest) {
        if (state.discrete()) {
            Volume labels = state.labels();
            if (cropStart != null) {
                DenseArray padded = uncrop(DenseArray.fromVolume(labels), cropStart, resampled);
                labels = LabelMaps.cast(padded.toVolume(resampled.affine()), labels.type());
            }
            return State.labels(Resample.resampleLabels(labels, input));
        }
        DenseArray scores =
                cropStart == null ? state.scores() : uncrop(state.scores(), cropStart, resampled);
        Volume onInput =
                Resample.resample(
                        scores.toVolume(resampled.affine()),
                        input,
                        nearest ? Interpolation.NEAREST : Interpolation.LINEAR);
        return State.scores(DenseArray.fromVolume(onInput), input);
    }

    /**
     * The argmax over the channels of {@code scores} resampled trilinearly onto {@code target} (as
     * {@link Resample#resample} with {@link Interpolation#LINEAR} computes each channel, border
     * padding, the first channel winning a tie), without keeping the channels on the target grid.
     */
    static Volume argmaxOnto(DenseArray scores, Affine sourceAffine, Grid target) {
        int[] s = scores.shape();
        int channels = s[0];
        int[] in = {s[1], s[2], s[3]};
        int[] out = target.shape();
        Affine t = sourceAffine.inverse().multiply(target.affine());
        float[] d = scores.data();
        int plane = in[1] * in[2];
        int voxels = in[0] * plane;
        Volume labels = Volume.allocate(VoxelType.UINT8, target.affine(), out);
        ByteBuffer dst = labels.data();
        if (diagonal(t)) {
            argmaxAligned(d, channels, in, out, t, dst);
            return labels;
        }
        IntStream.range(0, out[2])
                .parallel()
                .forEach(
                        k -> {
                            for (int j = 0; j < out[1]; j++) {
                                double bx = t.get(0, 1) * j + t.get(0, 2) * k + t.get(0, 3);
                                double by = t.get(1, 1) * j + t.get(1, 2) * k + t.get(1, 3);
                                double bz = t.get(2, 1) * j + t.get(2, 2) * k + t.get(2, 3);
                                int o = (k * out[1] + j) * out[0];
                                for (int i = 0; i < out[0]; i++) {
                                    double x = clamp(bx + t.get(0, 0) * i, in[0] - 1);
                                    double y = clamp(by + t.get(1, 0) * i, in[1] - 1);
                                    double z = clamp(bz + t.get(2, 0) * i, in[2] - 1);
                                    int x0 = (int) x;
                                    int y0 = (int) y;
                                    int z0 = (int) z;
                                    double fx = x - x0;
                                    double fy = y - y0;
                                    double fz = z - z0;
                                    int x1 = Math.min(x0 + 1, in[0] - 1);
                                    int y1 = Math.min(y0 + 1, in[1] - 1);
                                    int z1 = Math.min(z0 + 1, in[2] - 1);
                                    // C order: x slowest, z fastest
                                    int a00 = x0 * plane + y0 * in[2];
                                    int a10 = x0 * plane + y1 * in[2];
                                    int b00 = x1 * plane + y0 * in[2];
                                    int b10 = x1 * plane + y1 * in[2];
                                    dst.put(
                                            o + i,
                                            argmaxAt(
                                                    d, channels, voxels, a00, a10, b00, b10, z0, z1,
                                                    fx, fy, fz));
                                }
                            }
                        });
        return labels;
    }

    /**
     * The channel whose trilinear value at one position is largest (the first on a tie), with the
     * arithmetic of {@link Resample}'s trilinear resampling: {@code a0}/{@code a1} are the offsets
     * of the lower x neighbour at the lower and upper y, {@code b0}/{@code b1} those of the upper x
     * neighbour, all in C order without the z index.
     */
    private static byte argmaxAt(
            float[] d,
            int channels,
            int voxels,
            int a0,
            int a1,
            int b0,
            int b1,
            int z0,
            int z1,
            double fx,
            double fy,
            double fz) {
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < channels; c++) {
            int base = c * voxels;
            double c00 = d[base + a0 + z0] + (d[base + b0 + z0] - d[base + a0 + z0]) * fx;
            double c10 = d[base + a1 + z0] + (d[base + b1 + z0] - d[base + a1 + z0]) * fx;
            double c01 = d[base + a0 + z1] + (d[base + b0 + z1] - d[base + a0 + z1]) * fx;
            double c11 = d[base + a1 + z1] + (d[base + b1 + z1] - d[base + a1 + z1]) * fx;
            double c0 = c00 + (c10 - c00) * fy;
            double c1 = c01 + (c11 - c01) * fy;
            float v = (float) (c0 + (c1 - c0) * fz);
            if (v > max) {
                max = v;
                best = c;
            }
        }
        return (byte) best;
    }

    private static boolean diagonal(Affine t) {
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                if (r != c && t.get(r, c) != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * {@link #argmaxOnto} when each output axis maps onto the same input axis (no reorientation
     * between the grids): positions and fractions are worked out once per coordinate, with the same
     * arithmetic per voxel.
     */
    private static void argmaxAligned(
            float[] d, int channels, int[] in, int[] out, Affine t, ByteBuffer dst) {
        int[][] lo = new int[3][];
        int[][] hi = new int[3][];
        double[][] frac = new double[3][];
        for (int a = 0; a < 3; a++) {
            lo[a] = new int[out[a]];
            hi[a] = new int[out[a]];
            frac[a] = new double[out[a]];
            for (int n = 0; n < out[a]; n++) {
                double v = clamp(t.get(a, a) * n + t.get(a, 3), in[a] - 1);
                lo[a][n] = (int) v;
                hi[a][n] = Math.min(lo[a][n] + 1, in[a] - 1);
                frac[a][n] = v - lo[a][n];
            }
        }
        int plane = in[1] * in[2];
        int voxels = in[0] * plane;
        IntStream.range(0, out[2])
                .parallel()
                .forEach(
                        k -> {
                            int z0 = lo[2][k];
                            int z1 = hi[2][k];
                            double fz = frac[2][k];
                            for (int j = 0; j < out[1]; j++) {
                                int ya = lo[1][j] * in[2];
                                int yb = hi[1][j] * in[2];
                                double fy = frac[1][j];
                                int o = (k * out[1] + j) * out[0];
                                for (int i = 0; i < out[0]; i++) {
                                    int a0 = lo[0][i] * plane + ya;
                                    int a1 = lo[0][i] * plane + yb;
                                    int b0 = hi[0][i] * plane + ya;
                                    int b1 = hi[0][i] * plane + yb;
                                    double fx = frac[0][i];
                                    dst.put(
                                            o + i,
                                            argmaxAt(
                                                    d, channels, voxels, a0, a1, b0, b1, z0, z1, fx,
                                                    fy, fz));
                                }
                            }
                        });
    }

    private static double clamp(double v, double max) {
        return v <= 0 ? 0 : Math.min(v, max);
    }

    private static Volume discrete(State state, BundleStep.AsDiscrete a, BundleSpec spec) {
        DenseArray scores = state.scores();
        Affine affine = state.grid().affine();
        if (a.argmax()) {
            return LabelMaps.argmax(scores, affine);
        }
        int[] s = scores.shape();
        if (s[0] != 1) {
            throw new InvalidInputException(
                    "Bundle '"
                            + spec.name()
                            + "': AsDiscreted.threshold on "
                            + s[0]
                            + " channels makes no single label map");
        }
        float threshold = a.threshold().orElseThrow().floatValue();
        float[] binary = new float[scores.data().length];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = scores.data()[i] >= threshold ? 1 : 0;
        }
        return LabelMaps.argmax(
                new DenseArray(new int[] {2, s[1], s[2], s[3]}, concat(binary)), affine);
    }

    /** {@code (1 - b, b)}: a binary map as two channels, so that argmax gives 0 and 1. */
    private static float[] concat(float[] binary) {
        float[] two = new float[binary.length * 2];
        for (int i = 0; i < binary.length; i++) {
            two[i] = 1 - binary[i];
            two[binary.length + i] = binary[i];
        }
        return two;
    }
}
