import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProtoError } from '../../../src/core/tfevents/protobuf';
import { TfRecordFramer, type Corruption } from '../../../src/core/tfevents/record-framer';
import { RunStore } from '../../../src/core/tfevents/run-store';
import { findHealthProblems } from '../../../src/core/tfevents/health';
import { FIXTURES } from './helpers';

const SOURCES = [
  `${FIXTURES}/tf2_style/train/events.out.tfevents.1795407816.vm.397.2.v2`,
  `${FIXTURES}/digits_cnn/1795406056.6153712/events.out.tfevents.1795406056.vm.428.3`,
  `${FIXTURES}/lightning_digits/version_0/events.out.tfevents.1795406066.vm.428.28`,
];

/** Reads bytes the way the io layer does; returns [records, corruptions, decode errors]. */
function ingest(bytes: Uint8Array, verifyDataCrc: boolean): [number, Corruption[], number] {
  const store = new RunStore();
  const framer = new TfRecordFramer({ verifyDataCrc });
  const corruptions: Corruption[] = [];
  let records = 0;
  let decodeErrors = 0;
  framer.push(
    bytes,
    (payload) => {
      records++;
      try {
        store.addRecord('run', payload);
      } catch (error) {
        if (!(error instanceof ProtoError)) throw error;
        decodeErrors++;
      }
    },
    (c) => corruptions.push(c),
  );
  findHealthProblems(store);
  return [records, corruptions, decodeErrors];
}

test('seeded random damage never throws anything but ProtoError, and without data CRCs bad payloads are contained', () => {
  let seed = 99;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * n);
  };
  for (const source of SOURCES) {
    const original = readFileSync(source);
    for (let trial = 0; trial < 40; trial++) {
      const bytes = Uint8Array.from(original);
      for (let k = 0; k < 1 + rnd(8); k++) bytes[rnd(bytes.length)] = rnd(256);
      const cut = trial % 4 === 0 ? bytes.subarray(0, rnd(bytes.length)) : bytes;
      for (const verify of [true, false]) {
        const [records, corruptions] = ingest(cut, verify);
        assert.ok(records >= 0 && corruptions.every((c) => c.offset >= 0 && c.offset < cut.length));
      }
    }
  }
});

test('undamaged sources decode without a single ProtoError', () => {
  for (const source of SOURCES) {
    const [records, corruptions, errors] = ingest(readFileSync(source), true);
    assert.ok(records > 0);
    assert.deepEqual(corruptions, []);
    assert.equal(errors, 0);
  }
});
