/**
 * Prometheus metrics: counters, gauges and summaries in the text exposition
 * format (version 0.0.4), served on the Prometheus port.
 *
 * @module
 */

type Labels = Record<string, string>;

interface Metric {
  name: string;
  help: string;
  type: "counter" | "gauge" | "summary";
  render(): string[];
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (!entries.length) return "";
  const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
  return `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(",")}}`;
}

/** A value that only goes up, per label set. */
export class Counter implements Metric {
  readonly type = "counter";
  readonly #values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}

  /** Adds `by` (default 1). */
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }

  render(): string[] {
    return [...this.#values].map(([labels, v]) => `${this.name}${labels} ${v}`);
  }
}

/** A value read when scraped. */
export class Gauge implements Metric {
  readonly type = "gauge";
  constructor(readonly name: string, readonly help: string, readonly read: () => number) {}

  render(): string[] {
    return [`${this.name} ${this.read()}`];
  }
}

/** Values read when scraped, one per label set (a stream's, a peer's): none when there are none. */
export class LabelledGauge implements Metric {
  readonly type = "gauge";
  constructor(
    readonly name: string,
    readonly help: string,
    readonly read: () => Iterable<[Labels, number]>,
  ) {}

  render(): string[] {
    return [...this.read()].map(([labels, v]) => `${this.name}${labelText(labels)} ${v}`);
  }
}

/** Observed durations: how many and their sum (a Prometheus summary without quantiles). */
export class Summary implements Metric {
  readonly type = "summary";
  #count = 0;
  #sum = 0;
  constructor(readonly name: string, readonly help: string) {}

  /** Records one observation. */
  observe(value: number): void {
    this.#count++;
    this.#sum += value;
  }

  render(): string[] {
    return [`${this.name}_sum ${this.#sum}`, `${this.name}_count ${this.#count}`];
  }
}

/** The node's metrics. */
export class MetricsRegistry {
  readonly #metrics: Metric[] = [];

  /** Registers and returns a metric. */
  add<M extends Metric>(metric: M): M {
    if (this.#metrics.some((m) => m.name === metric.name)) {
      throw new TypeError(`Metric ${metric.name} is registered twice`);
    }
    this.#metrics.push(metric);
    return metric;
  }

  /** Every metric in the text exposition format. */
  render(): string {
    const lines: string[] = [];
    for (const m of this.#metrics) {
      lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, ...m.render());
    }
    return lines.join("\n") + "\n";
  }

  /** Serves `GET /metrics` on `port` (127.0.0.1 unless told); `close()` stops it. */
  serve(port: number, hostname = "127.0.0.1"): { port: number; close(): Promise<void> } {
    const server = Deno.serve({ port, hostname, onListen: () => {} }, (request) => {
      if (new URL(request.url).pathname !== "/metrics") {
        return new Response("Not found", { status: 404 });
      }
      return new Response(this.render(), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    });
    return { port: server.addr.port, close: () => server.shutdown() };
  }
}
