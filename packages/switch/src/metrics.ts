/**
 * Counters and gauges with labels, rendered in the Prometheus text format (STYLE.md §6:
 * every drop has a reason and a counter). Deliberately tiny: a Map per metric.
 */
export type Labels = Readonly<Record<string, string | number>>;

interface Metric {
  type: "counter" | "gauge";
  help: string;
  values: Map<string, number>;
}

export class Metrics {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors: Array<() => void> = [];

  inc(name: string, labels: Labels = {}, by = 1, help = ""): void {
    const m = this.metric(name, "counter", help);
    const key = labelKey(labels);
    m.values.set(key, (m.values.get(key) ?? 0) + by);
  }

  set(name: string, value: number, labels: Labels = {}, help = ""): void {
    this.metric(name, "gauge", help).values.set(labelKey(labels), value);
  }

  get(name: string, labels: Labels = {}): number {
    return this.metrics.get(name)?.values.get(labelKey(labels)) ?? 0;
  }

  /** Describes a metric up front so it is exported (as 0 if never touched). */
  describe(name: string, type: "counter" | "gauge", help: string): void {
    const m = this.metric(name, type, help);
    m.help = help;
    if (m.values.size === 0) m.values.set("", 0);
  }

  /** Runs before each render, to refresh gauges read from elsewhere. */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  render(): string {
    for (const c of this.collectors) c();
    let out = "";
    for (const [name, m] of [...this.metrics].sort(([a], [b]) => a.localeCompare(b))) {
      if (m.help !== "") out += `# HELP ${name} ${m.help}\n`;
      out += `# TYPE ${name} ${m.type}\n`;
      for (const [key, v] of m.values) out += `${name}${key === "" ? "" : `{${key}}`} ${v}\n`;
    }
    return out;
  }

  /** Plain object for JSON status. */
  snapshot(): Record<string, Record<string, number>> {
    for (const c of this.collectors) c();
    const out: Record<string, Record<string, number>> = {};
    for (const [name, m] of this.metrics) out[name] = Object.fromEntries(m.values);
    return out;
  }

  private metric(name: string, type: "counter" | "gauge", help: string): Metric {
    let m = this.metrics.get(name);
    if (m === undefined) this.metrics.set(name, (m = { type, help, values: new Map() }));
    return m;
  }
}

const NEEDS_ESCAPE = /[\\"\n]/;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return "";
  // Hot path (a counter per request and response): one label, nothing to escape.
  if (keys.length === 1) {
    const k = keys[0]!;
    const v = String(labels[k]);
    if (!NEEDS_ESCAPE.test(v)) return `${k}="${v}"`;
  }
  return keys
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`))}"`)
    .join(",");
}
