package org.monailabel.engine.apps;

/** Whether an app's tasks are being served. */
public enum AppState {
    /** Discovered, opened and published. */
    LOADED,
    /** Refused or broken; none of its tasks is served. */
    FAILED
}
