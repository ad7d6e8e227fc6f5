/**
 * Background jobs (training, scoring, batch inference): one job at a time per {@link
 * org.monailabel.engine.jobs.JobRunner}, on its own thread, with MONAI Label's task records ({@code
 * SUBMITTED → RUNNING → DONE | ERROR | STOPPED}), a queue for {@code enqueue=true} and a
 * cooperative stop.
 */
package org.monailabel.engine.jobs;
