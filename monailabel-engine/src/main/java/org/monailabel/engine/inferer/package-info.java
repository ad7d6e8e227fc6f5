/**
 * Sliding-window inference as MONAI does it: a pure-Java {@link
 * org.monailabel.engine.inferer.WindowPlan}, heap merging, and a loop that keeps DJL's native
 * memory flat with one scope per window batch.
 */
package org.monailabel.engine.inferer;
