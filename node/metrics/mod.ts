/**
 * Prometheus metrics.
 *
 * @module
 */
export { Counter, Gauge, MetricsRegistry, Summary } from "./registry.ts";
