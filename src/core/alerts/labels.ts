import type { Incident } from './incidents';

const KIND_LABELS: Readonly<Record<string, string>> = {
  drift: 'drift',
  temperature: 'temperature',
  memory: 'memory full',
  idle: 'idle while training',
  throttle: 'throttling',
  ecc: 'ECC errors',
  xid: 'XID error',
  'row-remap': 'row-remap failure',
  nan: 'NaN / Inf values',
  'non-finite': 'NaN / Inf values',
  divergence: 'divergence',
  overfitting: 'overfitting',
  plateau: 'plateau',
  'not-learning': 'not learning',
};

/**
 * What an alert is about, as a person would say it: `GPU 0`, `run nan_divergence`,
 * `prediction log tabular_dev.csv`, instead of the internal `gpu:0` / `predictions:/abs/path`.
 */
export function describeAlertSource(source: string): string {
  const at = source.indexOf(':');
  const prefix = at < 0 ? source : source.slice(0, at);
  const rest = at < 0 ? '' : source.slice(at + 1);
  if (prefix === 'gpu') return `GPU ${rest}`;
  if (prefix === 'run') return `run ${rest}`;
  if (prefix === 'predictions') return `prediction log ${rest.split(/[\\/]/).pop() ?? rest}`;
  if (prefix === 'checkpoint' || prefix === 'integrity') return `checkpoint ${rest.split(/[\\/]/).pop() ?? rest}`;
  return source;
}

/** An alert kind in words (`not-learning` -> `not learning`); unknown kinds lose their dashes. */
export function describeAlertKind(kind: string): string {
  return KIND_LABELS[kind] ?? kind.replace(/[-_]+/g, ' ');
}

/** The state as a label: `acknowledged`, `snoozed until 14:05`, `open`, `resolved`. */
export function describeIncidentState(incident: Pick<Incident, 'state' | 'snoozedUntil'>, time: (ms: number) => string): string {
  return incident.state === 'snoozed' && incident.snoozedUntil !== undefined ? `snoozed until ${time(incident.snoozedUntil)}` : incident.state;
}
