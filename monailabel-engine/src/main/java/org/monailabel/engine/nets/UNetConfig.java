package org.monailabel.engine.nets;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The hyper-parameters of a MONAI-style 3-D UNet ({@code monai.networks.nets.UNet} with {@code
 * kernel_size=3}, {@code up_kernel_size=2}).
 *
 * @param inChannels input channels (1 for CT; more with guidance channels)
 * @param outChannels output channels (background + labels)
 * @param channels feature channels per level, top first, at least 2 levels
 * @param strides down-sampling stride between levels, one fewer than {@code channels}; 1 or 2
 * @param numResUnits convolutions per residual unit; 0 for plain convolutions
 * @param norm normalisation after each convolution
 * @param act non-linearity after each convolution
 * @param dropout dropout rate after each normalisation (Monte-Carlo dropout uses it at inference)
 */
public record UNetConfig(
        int inChannels,
        int outChannels,
        int[] channels,
        int[] strides,
        int numResUnits,
        Norm norm,
        Activation act,
        double dropout) {
    public UNetConfig {
        Objects.requireNonNull(norm, "norm");
        Objects.requireNonNull(act, "act");
        channels = channels.clone();
        strides = strides.clone();
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException(
                    "UNet needs at least one input and one output channel");
        }
        if (channels.length < 2 || strides.length != channels.length - 1) {
            throw new IllegalArgumentException(
                    "UNet needs at least 2 levels and one stride fewer than channels: channels "
                            + Arrays.toString(channels)
                            + ", strides "
                            + Arrays.toString(strides));
        }
        if (Arrays.stream(channels).anyMatch(c -> c < 1)
                || Arrays.stream(strides).anyMatch(s -> s != 1 && s != 2)) {
            throw new IllegalArgumentException("UNet channels must be positive and strides 1 or 2");
        }
        if (numResUnits < 0 || !(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException(
                    "UNet numResUnits must be >= 0 and dropout in [0, 1)");
        }
    }

    /**
     * MONAI Label's spleen network: channels 16..256, strides 2, two residual units, batch norm.
     */
    public static UNetConfig spleen(int inChannels, int outChannels) {
        return new UNetConfig(
                inChannels,
                outChannels,
                new int[] {16, 32, 64, 128, 256},
                new int[] {2, 2, 2, 2},
                2,
                Norm.BATCH,
                Activation.PRELU,
                0);
    }

    /** The product of the strides: input sizes must be multiples of it. */
    public int divisor() {
        return Arrays.stream(strides).reduce(1, (a, b) -> a * b);
    }

    /** The hyper-parameters as a model card stores them (MONAI's argument names). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("in_channels", inChannels);
        m.put("out_channels", outChannels);
        m.put("channels", Arrays.stream(channels).boxed().toList());
        m.put("strides", Arrays.stream(strides).boxed().toList());
        m.put("num_res_units", numResUnits);
        m.put("norm", norm.name().toLowerCase(Locale.ROOT));
        m.put("act", act.name().toLowerCase(Locale.ROOT));
        m.put("dropout", dropout);
        return m;
    }

    /**
     * Hyper-parameters from a model card's map.
     *
     * @throws IllegalArgumentException naming the bad or missing key
     */
    public static UNetConfig fromMap(Map<String, ?> m) {
        return new UNetConfig(
                intOf(m, "in_channels", null),
                intOf(m, "out_channels", null),
                ints(m, "channels"),
                ints(m, "strides"),
                intOf(m, "num_res_units", 2),
                Norm.valueOf(string(m, "norm", "batch").toUpperCase(Locale.ROOT)),
                Activation.valueOf(string(m, "act", "prelu").toUpperCase(Locale.ROOT)),
                m.get("dropout") instanceof Number n ? n.doubleValue() : 0);
    }

    private static int intOf(Map<String, ?> m, String key, Integer fallback) {
        Object v = m.get(key);
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        if (v == null && fallback != null) {
            return fallback;
        }
        throw new IllegalArgumentException(
                "UNet hyper-parameter '" + key + "' must be an integer, got " + v);
    }

    private static String string(Map<String, ?> m, String key, String fallback) {
        Object v = m.get(key);
        return v == null ? fallback : v.toString();
    }

    private static int[] ints(Map<String, ?> m, String key) {
        if (!(m.get(key) instanceof List<?> list)) {
            throw new IllegalArgumentException(
                    "UNet hyper-parameter '" + key + "' must be a list of integers");
        }
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n)) {
                throw new IllegalArgumentException(
                        "UNet hyper-parameter '" + key + "' must be a list of integers");
            }
            out[i] = n.intValue();
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UNetConfig c
                && inChannels == c.inChannels
                && outChannels == c.outChannels
                && Arrays.equals(channels, c.channels)
                && Arrays.equals(strides, c.strides)
                && numResUnits == c.numResUnits
                && norm == c.norm
                && act == c.act
                && dropout == c.dropout;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                inChannels,
                outChannels,
                Arrays.hashCode(channels),
                Arrays.hashCode(strides),
                numResUnits,
                norm,
                act,
                dropout);
    }

    @Override
    public String toString() {
        return "UNet" + toMap();
    }
}
