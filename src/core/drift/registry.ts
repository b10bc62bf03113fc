import { ADWIN } from './adwin';
import { CUSUM } from './cusum';
import { DDM } from './ddm';
import { DriftParameterError, type DriftDetector, type ParamValue } from './detector';
import { EDDM } from './eddm';
import { FHDDM } from './fhddm';
import { HDDMA } from './hddm-a';
import { HDDMW } from './hddm-w';
import { KSWIN } from './kswin';
import { PageHinkley } from './page-hinkley';

/** The detectors by their CLI / settings names. */
export type DetectorName = 'adwin' | 'page-hinkley' | 'kswin' | 'cusum' | 'ddm' | 'eddm' | 'hddm-a' | 'hddm-w' | 'fhddm';

type ParamKind = 'number' | 'integer' | 'boolean' | 'mode';

interface DetectorSpec {
  /** Parameters in river's order, with the kind a string value is parsed as. */
  params: Record<string, ParamKind>;
  binary: boolean;
  detector: new (options: Record<string, unknown>) => DriftDetector;
}

const SPECS: Record<DetectorName, DetectorSpec> = {
  adwin: {
    params: { delta: 'number', clock: 'integer', max_buckets: 'integer', min_window_length: 'integer', grace_period: 'integer' },
    binary: false,
    detector: ADWIN,
  },
  'page-hinkley': {
    params: { min_instances: 'integer', delta: 'number', threshold: 'number', alpha: 'number', mode: 'mode' },
    binary: false,
    detector: PageHinkley,
  },
  kswin: {
    params: { alpha: 'number', window_size: 'integer', stat_size: 'integer', seed: 'integer' },
    binary: false,
    detector: KSWIN,
  },
  cusum: {
    params: { min_instances: 'integer', slack: 'number', threshold: 'number', mode: 'mode' },
    binary: false,
    detector: CUSUM,
  },
  ddm: {
    params: { warm_start: 'integer', warning_threshold: 'number', drift_threshold: 'number' },
    binary: true,
    detector: DDM,
  },
  eddm: { params: { warm_start: 'integer', alpha: 'number', beta: 'number' }, binary: true, detector: EDDM },
  'hddm-a': {
    params: { drift_confidence: 'number', warning_confidence: 'number', two_sided_test: 'boolean' },
    binary: true,
    detector: HDDMA,
  },
  'hddm-w': {
    params: { drift_confidence: 'number', warning_confidence: 'number', lambda_val: 'number', two_sided_test: 'boolean' },
    binary: true,
    detector: HDDMW,
  },
  fhddm: {
    params: { sliding_window_size: 'integer', confidence_level: 'number', short_window_size: 'integer' },
    binary: true,
    detector: FHDDM,
  },
};

/** Every detector name, in the order the CLI lists them. */
export const DETECTOR_NAMES = Object.keys(SPECS) as DetectorName[];

/** True for a known detector name. */
export function isDetectorName(name: string): name is DetectorName {
  return Object.hasOwn(SPECS, name);
}

/** True when the detector reads an error stream and can warn (DDM, EDDM, HDDM_A, HDDM_W, FHDDM). */
export function isBinaryDetector(name: DetectorName): boolean {
  return SPECS[name].binary;
}

/** The parameter names a detector accepts (river's names). */
export function detectorParamNames(name: DetectorName): string[] {
  return Object.keys(SPECS[name].params);
}

/**
 * Parses a parameter given as text (`--param delta=0.01`) into the value the detector expects;
 * throws DriftParameterError naming the parameter when it is unknown or unreadable.
 */
export function parseDetectorParam(name: DetectorName, param: string, text: string): ParamValue {
  const kind = SPECS[name].params[param];
  if (!kind) {
    throw new DriftParameterError(param, `${name}: unknown parameter '${param}' (known: ${detectorParamNames(name).join(', ')})`);
  }
  if (kind === 'mode') return text;
  if (kind === 'boolean') {
    const t = text.toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
    throw new DriftParameterError(param, `${name}: parameter '${param}' must be true or false (got '${text}')`);
  }
  const v = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(v)) throw new DriftParameterError(param, `${name}: parameter '${param}' must be a number (got '${text}')`);
  return v;
}

/**
 * Builds a detector by name with river-named parameters; unknown names or parameters and
 * out-of-range values throw DriftParameterError (a RangeError) whose message names them.
 *
 * @example
 * const d = createDetector('page-hinkley', { threshold: 20, mode: 'up' });
 */
export function createDetector(name: DetectorName, params: Record<string, ParamValue> = {}): DriftDetector {
  const spec = SPECS[name as DetectorName] as DetectorSpec | undefined;
  if (!spec) throw new DriftParameterError('detector', `unknown detector '${String(name)}' (known: ${DETECTOR_NAMES.join(', ')})`);
  for (const key of Object.keys(params)) {
    if (!Object.hasOwn(spec.params, key)) {
      throw new DriftParameterError(key, `${name}: unknown parameter '${key}' (known: ${detectorParamNames(name).join(', ')})`);
    }
  }
  return new spec.detector({ ...params });
}

/**
 * The effective parameters of a detector (defaults filled in), keyed by river's names; optional
 * parameters left unset (KSWIN's `seed`, FHDDM's `short_window_size`) are omitted.
 */
export function detectorParams(d: DriftDetector): Record<string, ParamValue> {
  const name = detectorName(d);
  const out: Record<string, ParamValue> = {};
  if (!name) return out;
  for (const key of Object.keys(SPECS[name].params)) {
    const v = (d as unknown as Record<string, unknown>)[key];
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[key] = v;
  }
  return out;
}

/** The registry name of a detector instance. */
export function detectorName(d: DriftDetector): DetectorName | undefined {
  return DETECTOR_NAMES.find((name) => d instanceof SPECS[name].detector);
}
