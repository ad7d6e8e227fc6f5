package org.monailabel.engine.postprocess;

import java.util.ArrayList;
import java.util.List;

/**
 * Connected components of a 3-D mask in linear time (one union-find pass over the voxels, with path
 * halving), with 6- or 26-connectivity. Masks are {@code boolean} per voxel in file order (x
 * fastest).
 */
public final class ConnectedComponents {
    /** Which neighbours touch. */
    public enum Connectivity {
        /** Faces only. */
        SIX,
        /** Faces, edges and corners. */
        TWENTY_SIX
    }

    private ConnectedComponents() {}

    /**
     * Component labels: 0 outside the mask, 1..n inside, numbered in order of first voxel (the
     * number of components is the largest label).
     */
    public static int[] label(boolean[] mask, int[] shape, Connectivity connectivity) {
        int nx = shape[0];
        int ny = shape[1];
        int nz = shape[2];
        int[] parent = new int[mask.length];
        for (int i = 0; i < mask.length; i++) {
            parent[i] = i;
        }
        int[][] offsets = backwardNeighbours(connectivity);
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    int i = x + nx * (y + ny * z);
                    if (!mask[i]) {
                        continue;
                    }
                    for (int[] d : offsets) {
                        int xx = x + d[0];
                        int yy = y + d[1];
                        int zz = z + d[2];
                        if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny) {
                            continue;
                        }
                        int j = xx + nx * (yy + ny * zz);
                        if (mask[j]) {
                            union(parent, i, j);
                        }
                    }
                }
            }
        }
        int[] labels = new int[mask.length];
        int next = 0;
        int[] rootLabel = new int[mask.length];
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                int r = find(parent, i);
                if (rootLabel[r] == 0) {
                    rootLabel[r] = ++next;
                }
                labels[i] = rootLabel[r];
            }
        }
        return labels;
    }

    /** Keeps only the largest component of the mask (the first one on a tie). */
    public static boolean[] largest(boolean[] mask, int[] shape, Connectivity connectivity) {
        int[] labels = label(mask, shape, connectivity);
        int max = 0;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        if (max <= 1) {
            return mask.clone();
        }
        int[] sizes = new int[max + 1];
        for (int l : labels) {
            sizes[l]++;
        }
        int best = 1;
        for (int l = 2; l <= max; l++) {
            if (sizes[l] > sizes[best]) {
                best = l;
            }
        }
        boolean[] out = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            out[i] = labels[i] == best;
        }
        return out;
    }

    /**
     * Fills holes: background regions (6-connected) that do not reach the volume's border become
     * part of the mask.
     */
    public static boolean[] fillHoles(boolean[] mask, int[] shape) {
        boolean[] background = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            background[i] = !mask[i];
        }
        int[] labels = label(background, shape, Connectivity.SIX);
        int max = 0;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        boolean[] touchesBorder = new boolean[max + 1];
        int nx = shape[0];
        int ny = shape[1];
        int nz = shape[2];
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    if (x == 0 || y == 0 || z == 0 || x == nx - 1 || y == ny - 1 || z == nz - 1) {
                        touchesBorder[labels[x + nx * (y + ny * z)]] = true;
                    }
                }
            }
        }
        boolean[] out = mask.clone();
        for (int i = 0; i < mask.length; i++) {
            if (!mask[i] && !touchesBorder[labels[i]]) {
                out[i] = true;
            }
        }
        return out;
    }

    /** Neighbour offsets already visited in x-fastest scan order (half of the neighbourhood). */
    private static int[][] backwardNeighbours(Connectivity c) {
        if (c == Connectivity.SIX) {
            return new int[][] {{-1, 0, 0}, {0, -1, 0}, {0, 0, -1}};
        }
        List<int[]> list = new ArrayList<>();
        for (int dz = -1; dz <= 0; dz++) {
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    boolean before = dz < 0 || (dz == 0 && (dy < 0 || (dy == 0 && dx < 0)));
                    if (before) {
                        list.add(new int[] {dx, dy, dz});
                    }
                }
            }
        }
        return list.toArray(new int[0][]);
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra != rb) {
            if (ra < rb) {
                parent[rb] = ra;
            } else {
                parent[ra] = rb;
            }
        }
    }
}
