package org.monailabel.engine.nets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.norm.BatchNorm;
import java.util.List;

/**
 * MONAI's {@code UNet} built from DJL blocks: per level a down-sampling residual unit, a skip
 * connection (concatenation) around the deeper levels, and an up-sampling unit; residual units of
 * {@code numResUnits} convolutions, each followed by norm, dropout and activation (MONAI's "NDA"
 * order). Up-sampling is a learned 2x2x2 stride-2 transposed convolution, computed as a 1x1x1
 * convolution to 8x the channels followed by a voxel shuffle (DJL's PyTorch engine has no
 * transposed convolution; the two are the same operator).
 */
public final class UNet {
    private UNet() {}

    /** The network for a configuration; initialise it with an input shape before use. */
    public static Block build(UNetConfig config) {
        return level(config, config.inChannels(), config.outChannels(), 0, true);
    }

    private static Block level(UNetConfig cfg, int in, int out, int depth, boolean top) {
        int[] ch = cfg.channels();
        int c = ch[depth];
        int stride = cfg.strides()[depth];
        Block sub;
        int upIn;
        if (ch.length - depth > 2) {
            sub = level(cfg, c, c, depth + 1, false);
            upIn = c * 2;
        } else {
            sub = residualOrConv(cfg, c, ch[depth + 1], 1, false); // the bottom layer
            upIn = c + ch[depth + 1];
        }
        Block down = residualOrConv(cfg, in, c, stride, false);
        Block skip =
                new ParallelBlock(
                        list ->
                                new NDList(
                                        NDArrays.concat(
                                                new NDList(
                                                        list.get(0).singletonOrThrow(),
                                                        list.get(1).singletonOrThrow()),
                                                1)),
                        List.of(new LambdaBlock(x -> x, "identity"), sub));
        return new Chain().add(down).add(skip).add(up(cfg, upIn, out, stride, top));
    }

    private static Block residualOrConv(
            UNetConfig cfg, int in, int out, int stride, boolean lastConvOnly) {
        if (cfg.numResUnits() == 0) {
            return convUnit(cfg, in, out, stride, 3, lastConvOnly);
        }
        return residualUnit(cfg, in, out, stride, cfg.numResUnits(), lastConvOnly);
    }

    /** MONAI's ResidualUnit: {@code subunits} conv units plus a residual path, summed. */
    private static Block residualUnit(
            UNetConfig cfg, int in, int out, int stride, int subunits, boolean lastConvOnly) {
        Chain conv = new Chain();
        int channels = in;
        int s = stride;
        for (int su = 0; su < subunits; su++) {
            conv.add(convUnit(cfg, channels, out, s, 3, lastConvOnly && su == subunits - 1));
            channels = out;
            s = 1;
        }
        Block residual;
        if (stride != 1 || in != out) {
            int kernel = stride == 1 ? 1 : 3;
            residual = conv3d(out, kernel, stride, stride == 1 ? 0 : 1);
        } else {
            residual = new LambdaBlock(x -> x, "identity");
        }
        return new ParallelBlock(
                list ->
                        new NDList(
                                list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow())),
                List.of(conv, residual));
    }

    /** MONAI's Convolution: conv, then norm, dropout, activation unless {@code convOnly}. */
    private static Block convUnit(
            UNetConfig cfg, int in, int out, int stride, int kernel, boolean convOnly) {
        Chain unit = new Chain().add(conv3d(out, kernel, stride, (kernel - 1) / 2));
        return convOnly ? unit : addNormDropoutAct(cfg, unit);
    }

    /**
     * The up-sampling layer: 2x learned up-sampling (or a stride-1 conv), then one residual conv.
     */
    private static Block up(UNetConfig cfg, int in, int out, int stride, boolean top) {
        Chain conv = new Chain();
        if (stride == 2) {
            conv.add(conv3d(out * 8, 1, 1, 0))
                    .add(LambdaBlock.singleton(UNet::voxelShuffle, "voxelShuffle"));
        } else {
            conv.add(conv3d(out, 3, 1, 1));
        }
        boolean convOnly = top && cfg.numResUnits() == 0;
        Block upConv = convOnly ? conv : addNormDropoutAct(cfg, conv);
        if (cfg.numResUnits() == 0) {
            return upConv;
        }
        return new Chain().add(upConv).add(residualUnit(cfg, out, out, 1, 1, top));
    }

    private static Chain addNormDropoutAct(UNetConfig cfg, Chain block) {
        switch (cfg.norm()) {
            case BATCH ->
                    block.add(
                            BatchNorm.builder()
                                    .optAxis(1)
                                    .optEpsilon(1e-5f)
                                    .optMomentum(0.9f)
                                    .build());
            case INSTANCE -> block.add(new InstanceNorm());
            case NONE -> {}
        }
        if (cfg.dropout() > 0) {
            block.add(new McDropout((float) cfg.dropout()));
        }
        if (cfg.act() == Activation.PRELU) {
            block.add(new PReLU());
        } else {
            block.add(LambdaBlock.singleton(ai.djl.nn.Activation::relu, "relu"));
        }
        return block;
    }

    private static Block conv3d(int filters, int kernel, int stride, int padding) {
        return Conv3d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel, kernel))
                .optStride(new Shape(stride, stride, stride))
                .optPadding(new Shape(padding, padding, padding))
                .optBias(true)
                .build();
    }

    /**
     * {@code (N, 8C, X, Y, Z) -> (N, C, 2X, 2Y, 2Z)}: channel {@code c*8 + a*4 + b*2 + d} becomes
     * the voxel at offset {@code (a, b, d)} of each 2x2x2 block, the layout of a stride-2
     * transposed convolution's kernel.
     */
    static NDArray voxelShuffle(NDArray x) {
        long[] s = x.getShape().getShape();
        long n = s[0];
        long c = s[1] / 8;
        return x.reshape(n, c, 2, 2, 2, s[2], s[3], s[4])
                .transpose(0, 1, 5, 2, 6, 3, 7, 4)
                .reshape(n, c, s[2] * 2, s[3] * 2, s[4] * 2);
    }
}
