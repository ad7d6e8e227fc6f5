/**
 * The local datastore: a studies folder laid out as MONAI Label lays it out ({@code
 * datastore_v2.json}, images, {@code labels/<tag>/}), opened by {@link
 * org.monailabel.engine.datastore.LocalDatastore}.
 *
 * <p>Durability: files are renamed into place only when complete; index changes are synced to an
 * append-only journal (hidden {@code .datastore_v2.journal.<n>} files) and folded into the
 * snapshot ({@code datastore_v2.json}) in the background. {@link
 * org.monailabel.engine.datastore.FileExtensions} is public for the HTTP layer.
 */
package org.monailabel.engine.datastore;
