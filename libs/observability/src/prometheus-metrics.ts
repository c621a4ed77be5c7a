import {
  Counter,
  Gauge,
  Histogram,
  register,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from "prom-client";

/** A metric asked for twice with different help, labels or type. */
export class MetricConflictError extends Error {
  readonly code = "METRIC_CONFLICT";

  constructor(name: string, detail: string) {
    super(`Metric ${name} is already registered ${detail}`);
    this.name = "MetricConflictError";
  }
}

type MetricClass = typeof Counter | typeof Gauge | typeof Histogram;

function sameLabels(a: readonly string[] = [], b: readonly string[] = []): boolean {
  return a.length === b.length && [...a].sort().every((label, index) => label === [...b].sort()[index]);
}

// prom-client throws when a name is registered twice; modules that are loaded
// more than once (tests, several libraries) share the metric instead.
function getOrCreate<M>(
  Type: MetricClass,
  config: { name: string; help: string; labelNames?: readonly string[] },
  create: () => M,
): M {
  const existing = register.getSingleMetric(config.name) as
    (InstanceType<MetricClass> & { help?: string; labelNames?: string[] }) | undefined;
  if (!existing) return create();
  if (!(existing instanceof Type)) throw new MetricConflictError(config.name, `as another type than ${Type.name}`);
  if (existing.help !== config.help)
    throw new MetricConflictError(config.name, `with the help text "${existing.help}"`);
  if (!sameLabels(existing.labelNames, config.labelNames)) {
    throw new MetricConflictError(config.name, `with the labels [${(existing.labelNames ?? []).join(", ")}]`);
  }
  return existing as M;
}

/** A counter on prom-client's default registry, created on first use and shared afterwards. */
export function counter<L extends string = string>(config: CounterConfiguration<L>): Counter<L> {
  return getOrCreate(Counter, config, () => new Counter<L>(config));
}

export function gauge<L extends string = string>(config: GaugeConfiguration<L>): Gauge<L> {
  return getOrCreate(Gauge, config, () => new Gauge<L>(config));
}

/** Buckets in seconds unless the config says otherwise. */
export function histogram<L extends string = string>(config: HistogramConfiguration<L>): Histogram<L> {
  return getOrCreate(Histogram, config, () => new Histogram<L>(config));
}
