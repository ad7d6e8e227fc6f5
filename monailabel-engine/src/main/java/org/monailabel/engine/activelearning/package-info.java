/**
 * MONAI Label's active-learning strategies, for apps to register by subclassing: the stock {@code
 * random}, {@code first} and {@code last}, and the score-ranked {@code epistemic} and {@code tta},
 * which read the scores {@code org.monailabel.engine.scoring} writes into the image info.
 */
package org.monailabel.engine.activelearning;
