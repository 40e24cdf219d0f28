/**
 * Prometheus metrics.
 *
 * @module
 */
export { Counter, Gauge, LabelledGauge, MetricsRegistry, Summary } from "./registry.ts";
