/** Training on DJL: the segmentation loss, and (issue 5) the trainer around it. */
package org.monailabel.engine.train;
