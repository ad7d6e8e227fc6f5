/** Speed benchmarks: plain timing mains (run with {@code benchmarks/run <Class>}) and JMH. */
package org.monailabel.bench;
