/**
 * Where DJL types meet monailabel: the engine and devices. DJL types do not leave this package and
 * the network and inferer packages.
 */
package org.monailabel.engine.djl;
