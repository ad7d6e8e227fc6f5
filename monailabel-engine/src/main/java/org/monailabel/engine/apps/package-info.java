/**
 * Loading apps: one {@link java.net.URLClassLoader} per app on top of a {@link
 * org.monailabel.engine.apps.FilteringClassLoader} that shows only the API, the engine, DJL and
 * SLF4J of the host; discovery of tasks with {@link java.util.ServiceLoader}; the {@link
 * org.monailabel.engine.apps.AppRegistry} that serves the tasks of all apps together, hands out
 * {@link org.monailabel.engine.apps.Lease}s that pin an app version while a call is in flight, and
 * swaps versions when the {@link org.monailabel.engine.apps.AppFolderWatcher} sees a jar dropped
 * in, replaced or deleted.
 */
package org.monailabel.engine.apps;
