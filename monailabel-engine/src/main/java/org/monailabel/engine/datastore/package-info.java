/**
 * The local datastore: a studies folder laid out as MONAI Label lays it out, opened by {@link
 * org.monailabel.engine.datastore.LocalDatastore}.
 *
 * <pre>
 * studies/
 *   datastore_v2.json            the index (snapshot), MONAI Label's format, 2-space indent
 *   .datastore_v2.journal.&lt;n&gt;    changes since the snapshot (hidden; gone after a clean close)
 *   .lock                        held while open (FileChannel.tryLock)
 *   &lt;id&gt;&lt;ext&gt;                     images (images_dir ".")
 *   labels/&lt;tag&gt;/&lt;id&gt;&lt;ext&gt;       labels
 * </pre>
 *
 * <p>Durability: a file is checked against its extension ({@link
 * org.monailabel.engine.datastore.ContentCheck}), copied to a hidden temporary file (or, when
 * handed over on the same file system, renamed to one) and synced; then, under the index lock, a
 * journal record naming the new entry and the rename is synced, the file is renamed into place and
 * the folder synced. Replay redoes a rename whose temporary file survived a crash, so the index and
 * the files always agree. Journal lines are {@code <length>:<crc32>:<json>}; a torn last line is
 * ignored. The snapshot is rewritten in the background (at most once per {@code snapshotDelay}
 * while changed, and at close) and then the journal segments it covers are deleted.
 *
 * <p>{@link org.monailabel.engine.datastore.FileExtensions} and {@link
 * org.monailabel.engine.datastore.ContentCheck} are public for the HTTP layer.
 */
package org.monailabel.engine.datastore;
