// The /metrics page and the textfile, rendered by prom-client from the core's samples. A page is
// rendered once per change and shared as one Buffer by every scrape until the next change, so a
// thousand scrapers cost a thousand sockets, not a thousand renders or copies.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FAMILIES, PROBE_BUCKETS_SECONDS, type FamilySpec, type Sample } from '../../core/fleet/families';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export interface RenderedPage {
  readonly contentType: string;
  readonly body: Buffer;
}

type Family = Gauge<string> | Counter<string> | Histogram<string>;

/** One registry and its families. prom-client renames a counter in place when an OpenMetrics
 * registry renders it (it drops `_total`), so each format keeps metric objects of its own. */
class FamilySet {
  readonly registry = new Registry();
  readonly families = new Map<string, Family>();
  readonly probeDuration: Histogram<string>;

  constructor(format: ExpositionFormat) {
    if (format === 'openmetrics') this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
    const registers = [this.registry];
    for (const spec of Object.values(FAMILIES) as FamilySpec[]) {
      const common = { name: spec.name, help: spec.help, labelNames: [...spec.labelNames], registers };
      const family =
        spec.type === 'gauge'
          ? new Gauge(common)
          : spec.type === 'counter'
            ? new Counter(common)
            : new Histogram({ ...common, buckets: [...PROBE_BUCKETS_SECONDS] });
      this.families.set(spec.name, family);
    }
    this.probeDuration = this.families.get(FAMILIES.endpointProbeDuration.name) as Histogram<string>;
  }

  apply(samples: readonly Sample[]): void {
    for (const family of this.families.values()) if (!(family instanceof Histogram)) family.reset();
    for (const s of samples) {
      const family = this.families.get(s.family.name);
      if (family instanceof Gauge) family.set(s.labels, s.value);
      else if (family instanceof Counter) family.inc(s.labels, s.value);
    }
  }
}

export class MetricsExposition {
  private readonly sets: Record<ExpositionFormat, FamilySet> = { prometheus: new FamilySet('prometheus'), openmetrics: new FamilySet('openmetrics') };
  private readonly probed = new Set<string>();
  private generation = 0;
  /** False until the first snapshot: a page before it would claim a passing check that never ran. */
  ready = false;
  private readonly cache = new Map<ExpositionFormat, { generation: number; page: Promise<RenderedPage> }>();

  /**
   * Replaces every gauge and counter value with `samples`. Label sets absent from `samples` go, so
   * a finding that cleared leaves no stale series; counters carry values that only grow by nature
   * (rows read, joules drawn) and drop only when their source truly restarted.
   */
  apply(samples: readonly Sample[]): void {
    this.sets.prometheus.apply(samples);
    this.sets.openmetrics.apply(samples);
    this.ready = true;
    this.generation++;
  }

  /** Adds probe times (seconds) to an endpoint's histogram. */
  observeProbes(endpoint: string, seconds: readonly number[]): void {
    this.probed.add(endpoint);
    for (const set of Object.values(this.sets)) for (const s of seconds) set.probeDuration.observe({ endpoint }, s);
    if (seconds.length) this.generation++;
  }

  /** Drops the histogram series of endpoints no longer configured. */
  keepEndpoints(names: ReadonlySet<string>): void {
    for (const name of this.probed) {
      if (names.has(name)) continue;
      for (const set of Object.values(this.sets)) set.probeDuration.remove({ endpoint: name });
      this.probed.delete(name);
      this.generation++;
    }
  }

  /** The page in `format`, rendered at most once per change. */
  render(format: ExpositionFormat): Promise<RenderedPage> {
    const cached = this.cache.get(format);
    if (cached && cached.generation === this.generation) return cached.page;
    const { registry } = this.sets[format];
    const page = registry.metrics().then((text) => ({ contentType: registry.contentType, body: Buffer.from(text, 'utf8') }));
    this.cache.set(format, { generation: this.generation, page });
    return page;
  }
}

/** OpenMetrics when the scraper names it in Accept (Prometheus does, preferring it), else the text format. */
export function negotiate(accept: string | undefined): ExpositionFormat {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept) ? 'openmetrics' : 'prometheus';
}
