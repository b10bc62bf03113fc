import { parseArgs } from 'node:util';
import {
  chi2Contingency,
  constantReferenceNote,
  hellingerDistance,
  jensenShannonDistance,
  ks2samp,
  normalizedWasserstein,
  parseTable,
  psi,
  wassersteinDistance,
  wassersteinScale,
} from '../../core/stats';
import { asUsage, UsageError, type CliCommand } from '../io';
import { numbersOf, readInput } from './detect';

const SAMPLE_TESTS = ['ks', 'wasserstein', 'jensenshannon', 'psi', 'hellinger'] as const;
const BINNED = ['jensenshannon', 'psi', 'hellinger'];

const USAGE = `usage: modelmon stats <${SAMPLE_TESTS.join('|')}> --reference FILE --current FILE [--bins N]
       modelmon stats chi2 --table "50,30,20;30,45,25"

Compares two samples (one number per line, blank lines skipped) and prints one JSON line
{"test", "statistic", "p_value"} ("p_value" for ks and chi2 only; chi2 adds "dof", wasserstein
adds "normalized" = distance / reference std). ks is scipy's ks_2samp (exact p up to 10000
values a side, asymptotic above); jensenshannon (natural log) and hellinger use N equal-width
bins over the reference's range, psi N quantile bins of the reference (default N = 10).`;

export const statsCommand: CliCommand = {
  name: 'stats',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = asUsage(() =>
      parseArgs({
        args,
        options: {
          reference: { type: 'string', short: 'r' },
          current: { type: 'string', short: 'c' },
          bins: { type: 'string', short: 'b' },
          table: { type: 'string', short: 't' },
        },
        allowPositionals: true,
        strict: true,
      }),
    );
    const [test, ...extra] = positionals;
    if (test === undefined) throw new UsageError(`which statistic? one of ${[...SAMPLE_TESTS, 'chi2'].join(', ')}`);
    if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);

    if (test === 'chi2') {
      if (values.table === undefined) throw new UsageError('chi2 needs --table "a,b,...;c,d,..."');
      if (values.reference !== undefined || values.current !== undefined) {
        throw new UsageError('chi2 takes --table, not --reference / --current');
      }
      const table = values.table;
      const r = asUsage(() => chi2Contingency(parseTable(table)));
      io.out(JSON.stringify({ test: 'chi2', statistic: r.statistic, p_value: r.pValue, dof: r.dof }) + '\n');
      return 0;
    }
    if (!(SAMPLE_TESTS as readonly string[]).includes(test)) {
      throw new UsageError(`unknown statistic '${test}' (known: ${[...SAMPLE_TESTS, 'chi2'].join(', ')})`);
    }
    if (values.table !== undefined) throw new UsageError('--table applies to chi2 only');
    if (values.reference === undefined) throw new UsageError('--reference FILE is required');
    if (values.current === undefined) throw new UsageError('--current FILE is required');
    let bins = 10;
    if (values.bins !== undefined) {
      if (!BINNED.includes(test)) throw new UsageError('--bins applies to jensenshannon, psi and hellinger only');
      bins = Number(values.bins);
      if (!/^\d+$/.test(values.bins.trim()) || !Number.isInteger(bins) || bins < 1 || bins > 100000) {
        throw new UsageError(`--bins must be an integer from 1 to 100000 (got '${values.bins}')`);
      }
    }
    const refInput = await readInput(io, values.reference);
    const curInput = await readInput(io, values.current);
    const reference = numbersOf(refInput.text, refInput.source);
    const current = numbersOf(curInput.text, curInput.source);

    let out: Record<string, unknown>;
    switch (test) {
      case 'ks': {
        const r = ks2samp(reference, current);
        out = { test, statistic: r.statistic, p_value: r.pValue };
        break;
      }
      case 'wasserstein': {
        const note = constantReferenceNote(wassersteinScale(reference));
        out = { test, statistic: wassersteinDistance(reference, current), normalized: normalizedWasserstein(reference, current), ...(note ? { note } : {}) };
        break;
      }
      case 'jensenshannon':
        out = { test, statistic: jensenShannonDistance(reference, current, bins), bins };
        break;
      case 'psi':
        out = { test, statistic: psi(reference, current, bins), bins };
        break;
      default:
        out = { test, statistic: hellingerDistance(reference, current, bins), bins };
    }
    io.out(JSON.stringify(out) + '\n');
    return 0;
  },
};
