/**
 * Sessions: images uploaded for a while to run models on without adding them to the datastore
 * (MONAI Label's {@code /session/}), kept across restarts.
 */
package org.monailabel.engine.session;
