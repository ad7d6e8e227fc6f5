package org.monailabel.api.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AffineTest {
    private static final Affine OBLIQUE =
            Affine.of(
                    -0.18, 1.27, 0.0, 20.5, -0.88, -0.27, 0.0, -31.0, 0.0, 0.0, 2.2, 7.25, 0, 0, 0,
                    1);

    @Test
    void inverseUndoesTheTransform() {
        double[] world = OBLIQUE.apply(3, 4.5, 7);
        double[] voxel = OBLIQUE.inverse().apply(world[0], world[1], world[2]);
        assertThat(voxel[0]).isCloseTo(3, within(1e-12));
        assertThat(voxel[1]).isCloseTo(4.5, within(1e-12));
        assertThat(voxel[2]).isCloseTo(7, within(1e-12));
        assertThat(
                        OBLIQUE.multiply(OBLIQUE.inverse())
                                .approximatelyEquals(Affine.identity(), 1e-12))
                .isTrue();
    }

    @Test
    void spacingIsTheLengthOfEachColumn() {
        assertThat(OBLIQUE.spacing()[0]).isCloseTo(Math.hypot(0.18, 0.88), within(1e-12));
        assertThat(OBLIQUE.spacing()[1]).isCloseTo(Math.hypot(1.27, 0.27), within(1e-12));
        assertThat(OBLIQUE.spacing()[2]).isCloseTo(2.2, within(1e-12));
    }

    @Test
    void flipXyConvertsBetweenRasAndLps() {
        Affine lps = OBLIQUE.flipXY();
        double[] ras = OBLIQUE.apply(1, 2, 3);
        double[] p = lps.apply(1, 2, 3);
        assertThat(p).containsExactly(new double[] {-ras[0], -ras[1], ras[2]}, within(1e-12));
        assertThat(lps.flipXY()).isEqualTo(OBLIQUE);
    }

    @Test
    void multiplyAppliesTheRightOperandFirst() {
        Affine scale = Affine.diagonal(2, 3, 4);
        Affine shift = Affine.identity().withTranslation(1, 1, 1);
        assertThat(shift.multiply(scale).apply(1, 1, 1)).containsExactly(3, 4, 5);
        assertThat(scale.multiply(shift).apply(1, 1, 1)).containsExactly(4, 6, 8);
    }

    @Test
    void refusesNonFiniteValuesABadBottomRowAndSingularInversion() {
        assertThatThrownBy(() -> Affine.of(Double.NaN, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-finite");
        assertThatThrownBy(() -> Affine.of(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bottom row");
        Affine singular = Affine.diagonal(1, 0, 1);
        assertThat(singular.isInvertible()).isFalse();
        assertThatThrownBy(singular::inverse).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rowsRoundTrip() {
        assertThat(Affine.of(OBLIQUE.toRows())).isEqualTo(OBLIQUE);
        assertThat(Affine.of(OBLIQUE.toArray())).isEqualTo(OBLIQUE);
        assertThat(OBLIQUE.determinant() * OBLIQUE.inverse().determinant())
                .isCloseTo(1, within(1e-12));
    }
}
