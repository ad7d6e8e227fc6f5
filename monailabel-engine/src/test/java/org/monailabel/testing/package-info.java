/**
 * Reusable test helpers of the engine's test-jar, for every module's tests: {@link
 * org.monailabel.testing.PluginJars} compiles app jars from Java source strings, {@link
 * org.monailabel.testing.PluginSources} holds source templates of small tasks, {@link
 * org.monailabel.testing.TestDatastores} makes a small working datastore, and {@link
 * org.monailabel.testing.Poll} waits for a condition with a deadline, and {@link
 * org.monailabel.testing.Orthanc} runs a real Orthanc PACS with its DICOMweb plugin.
 */
package org.monailabel.testing;
