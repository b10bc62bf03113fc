import { createDetector, DETECTOR_NAMES, isBinaryDetector, PythonRandom, type DetectorName } from '../src/core/drift';
import { jensenShannonDistance, ks2samp, normalizedWasserstein, psi, wassersteinDistance } from '../src/core/stats';
import { timeBest, type BenchFigure } from './harness';

const N = 1_000_000;

/** A stream with a change every 100k values, so detectors also pay for their drift/reset path. */
function makeStream(binary: boolean): Float64Array {
  const rng = new PythonRandom(1);
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const phase = Math.floor(i / 100_000) % 2;
    out[i] = binary ? (rng.random() < (phase ? 0.4 : 0.2) ? 1 : 0) : rng.random() + phase * 0.5;
  }
  return out;
}

const TARGET: Record<DetectorName, number> = {
  adwin: 2e6,
  'page-hinkley': 10e6,
  kswin: 10e6,
  cusum: 10e6,
  ddm: 10e6,
  eddm: 10e6,
  'hddm-a': 10e6,
  'hddm-w': 10e6,
  fhddm: 10e6,
};

/** Measured on this machine with scipy 1.17 / numpy 2.4 (same 5k vs 5k shapes), for comparison. */
const SCIPY_MS: Record<string, string> = {
  'ks2samp 5k vs 5k (exact p)': '1.6',
  'wasserstein 5k vs 5k': '1.25',
  'psi 5k vs 5k (10 quantile bins)': '1.0',
};

export async function bench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const real = makeStream(false);
  const binary = makeStream(true);
  let sink = 0;
  for (const name of DETECTOR_NAMES) {
    const stream = isBinaryDetector(name) ? binary : real;
    // KSWIN runs one KS test per update: time a tenth of the stream.
    const n = name === 'kswin' ? N / 10 : N;
    const ms = timeBest(() => {
      const d = createDetector(name, name === 'kswin' ? { seed: 42 } : {});
      for (let i = 0; i < n; i++) {
        d.update(stream[i]!);
        if (d.driftDetected) sink++;
      }
    });
    const river =
      name === 'adwin' ? '; river (Cython) ~0.3 M/s' : name === 'kswin' ? "; river's update loop 6.0 k/s" : '';
    const anchor = `>= ${TARGET[name] / 1e6} M/s${river}`;
    figures.push({ engine: 'drift', name: `${name} updates/s`, value: n / (ms / 1000), unit: 'updates/s', anchor });
  }

  // Seeded KSWIN must draw exactly what river's random.Random(seed).sample(range(70), 30) draws
  // (about 42 Mersenne Twister outputs per update): this alone bounds its rate.
  const draws = new PythonRandom(42);
  const picked = new Int32Array(30);
  const samples = 200_000;
  const sampleMs = timeBest(() => {
    for (let i = 0; i < samples; i++) draws.sampleInto(70, 30, picked);
    sink += picked[0]!;
  });
  figures.push({
    engine: 'drift',
    name: "kswin's sample(range(70), 30) alone",
    value: samples / (sampleMs / 1000),
    unit: 'samples/s',
    anchor: 'the ceiling for seeded KSWIN',
  });

  const rng = new PythonRandom(2);
  const ref = Float64Array.from({ length: 5000 }, () => rng.random());
  const cur = Float64Array.from({ length: 5000 }, () => rng.random() * 1.1);
  const refSorted = Float64Array.from(ref).sort();
  const stats: [string, () => number][] = [
    ['ks2samp 5k vs 5k (exact p)', () => ks2samp(ref, cur).pValue],
    ['ks2samp 5k vs 5k, reference sorted once', () => ks2samp(refSorted, cur).pValue],
    ['wasserstein 5k vs 5k', () => wassersteinDistance(ref, cur)],
    ['normalized wasserstein 5k vs 5k', () => normalizedWasserstein(ref, cur)],
    ['psi 5k vs 5k (10 quantile bins)', () => psi(ref, cur)],
    ['jensen-shannon 5k vs 5k (10 bins)', () => jensenShannonDistance(ref, cur)],
  ];
  for (const [name, fn] of stats) {
    const reps = 50;
    const ms = timeBest(() => {
      for (let r = 0; r < reps; r++) sink += fn();
    });
    const scipy = SCIPY_MS[name];
    const anchor = `${(ms / reps).toFixed(2)} ms each${scipy ? `; scipy/numpy ${scipy} ms` : ''}`;
    figures.push({ engine: 'drift', name, value: (reps * 1000) / ms, unit: 'tests/s', anchor });
  }
  if (sink === -1) console.log(sink);
  return figures;
}
