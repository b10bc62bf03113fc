// The WebAssembly framing and CRC checks against the JavaScript reference: the same records, the
// same corruptions at the same offsets, however the bytes are damaged and however they are chunked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { maskedCrc32c } from '../../../src/core/tfevents/crc32c';
import { RECORD_WINDOW_BYTES, recordCheckAvailable, soundRecordLengths, wasmMaskedCrc32c } from '../../../src/core/tfevents/record-check';
import { TfRecordFramer, type Corruption } from '../../../src/core/tfevents/record-framer';
import { seededRandom } from '../../../src/core/random';
import { FIXTURES, concat, record, scalarEvent } from './helpers';

const FILE = readFileSync(`${FIXTURES}/diverge_lr5/events.out.tfevents.1795406056.vm.428.4`);

function frame(bytes: Uint8Array, chunks: number[], wasm: boolean, options = {}): string[] {
  const framer = new TfRecordFramer({ ...options, wasm });
  const out: string[] = [];
  const onRecord = (p: Uint8Array, offset: number) => out.push(`record ${offset} ${Buffer.from(p).toString('hex')}`);
  const onCorruption = (c: Corruption) => out.push(`corrupt ${c.offset} ${c.message}`);
  let at = 0;
  for (const size of chunks) {
    framer.pushRanges(bytes.subarray(at, at + size), (buf, start, end, offset) => onRecord(buf.subarray(start, end), offset), onCorruption);
    at += size;
  }
  if (at < bytes.length) framer.push(bytes.subarray(at), onRecord, onCorruption);
  const tail = framer.finish();
  if (tail) out.push(`tail ${tail.offset} ${tail.message}`);
  return out;
}

test('WebAssembly is available on this runtime, so the fast path is the one measured', () => {
  assert.equal(recordCheckAvailable(), true);
});

test('the masked CRC-32C in WebAssembly equals the JavaScript one for every length 0-300 and a full window', () => {
  const random = seededRandom(5);
  const bytes = Uint8Array.from({ length: RECORD_WINDOW_BYTES + 7 }, () => Math.floor(random() * 256));
  for (let n = 0; n <= 300; n++) assert.equal(wasmMaskedCrc32c(bytes, 3, 3 + n), maskedCrc32c(bytes, 3, 3 + n), `length ${n}`);
  assert.equal(wasmMaskedCrc32c(bytes, 7, 7 + RECORD_WINDOW_BYTES), maskedCrc32c(bytes, 7, 7 + RECORD_WINDOW_BYTES));
  assert.equal(wasmMaskedCrc32c(bytes, 0, RECORD_WINDOW_BYTES + 1), undefined);
});

test('a sound file is framed identically, whole and in chunks of 1, 7, 4096 and 1 MiB + 3', () => {
  const reference = frame(FILE, [FILE.length], false);
  assert.ok(reference.length > 100);
  for (const size of [FILE.length, 1, 7, 4096, RECORD_WINDOW_BYTES + 3]) {
    const chunks = Array.from({ length: Math.ceil(FILE.length / size) }, () => size);
    assert.deepEqual(frame(FILE, chunks, true), frame(FILE, chunks, false), `chunks of ${size}`);
  }
  assert.deepEqual(frame(FILE, [FILE.length], true), reference);
});

test('400 seeded damaged streams: flipped bytes, cut records, bogus lengths, oversized records, random chunking; the same records and corruptions', () => {
  const random = seededRandom(11);
  const pick = (n: number) => Math.floor(random() * n);
  for (let trial = 0; trial < 400; trial++) {
    const parts: Uint8Array[] = [];
    const records = 5 + pick(60);
    for (let r = 0; r < records; r++) {
      const tag = `t${pick(5)}/${'x'.repeat(pick(40))}`;
      const rec = record(scalarEvent(tag, r, random()));
      parts.push(rec);
      // Now and then garbage between records, as a crashed writer leaves.
      if (pick(12) === 0) parts.push(Uint8Array.from({ length: 1 + pick(30) }, () => pick(256)));
    }
    const bytes = concat(parts);
    const damage = pick(4);
    for (let d = 0; d < damage; d++) {
      const at = pick(bytes.length);
      bytes[at] = bytes[at]! ^ (1 << pick(8));
    }
    // A record longer than maxRecordBytes (the option), to exercise the length limit in both paths.
    const options = pick(3) === 0 ? { maxRecordBytes: 40 + pick(40) } : pick(4) === 0 ? { verifyDataCrc: false } : {};
    const chunks: number[] = [];
    for (let left = bytes.length; left > 0; ) {
      const size = Math.min(left, pick(3) === 0 ? 1 + pick(16) : 1 + pick(bytes.length));
      chunks.push(size);
      left -= size;
    }
    // Sometimes the stream stops mid-record (a writer still writing).
    const cut = pick(3) === 0 ? bytes.subarray(0, bytes.length - 1 - pick(20)) : bytes;
    let total = 0;
    const kept = chunks.filter((c) => (total += c) <= cut.length);
    assert.deepEqual(frame(cut, kept, true, options), frame(cut, kept, false, options), `trial ${trial}`);
  }
});

test('a record longer than the WebAssembly window is framed by JavaScript, and the records around it by WebAssembly', () => {
  const big = record(scalarEvent('big/' + 'y'.repeat(RECORD_WINDOW_BYTES + 100), 1, 0.5));
  const bytes = concat([record(scalarEvent('a', 0, 1)), big, record(scalarEvent('b', 2, 3))]);
  const out = frame(bytes, [bytes.length], true);
  assert.equal(out.filter((l) => l.startsWith('record')).length, 3);
  assert.deepEqual(out, frame(bytes, [bytes.length], false));
});

test('soundRecordLengths stops before a record whose payload CRC fails, and at a record cut short', () => {
  const a = record(scalarEvent('a', 0, 1));
  const b = record(scalarEvent('b', 1, 2));
  const good = concat([a, b, a]);
  assert.deepEqual([...soundRecordLengths(good, 0, good.length, 1 << 20, true)], [a.length, b.length, a.length]);
  assert.deepEqual([...soundRecordLengths(good, 0, good.length - 1, 1 << 20, true)], [a.length, b.length]);
  const bad = good.slice();
  bad[a.length + 14] = bad[a.length + 14]! ^ 0x40;
  assert.deepEqual([...soundRecordLengths(bad, 0, bad.length, 1 << 20, true)], [a.length]);
  assert.deepEqual([...soundRecordLengths(bad, 0, bad.length, 1 << 20, false)], [a.length, b.length, a.length]);
});

test('the committed WebAssembly bytes are compiled from their .wat files as they are (record-check.wat, logistic-hessian.wat)', () => {
  execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { stdio: 'pipe' });
});

test('a MiB of records that all fail their payload CRC, then sound ones: the same as JavaScript, and framed at JavaScript speed', () => {
  // About a MiB of 100-byte records, as a writer with wrong payload CRCs leaves them.
  const bad = Array.from({ length: 10_000 }, (_, i) => {
    const r = record(scalarEvent(`bad/${'x'.repeat(40)}`, i, 1));
    r[r.length - 1] = r[r.length - 1]! ^ 0xff; // the payload CRC
    return r;
  });
  const good = Array.from({ length: 3000 }, (_, i) => record(scalarEvent('good', i, 2)));
  const bytes = concat([...good.slice(0, 10), ...bad, ...good]);
  const time = (wasm: boolean) => {
    const t0 = process.hrtime.bigint();
    const out = frame(bytes, [bytes.length], wasm);
    return { out, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
  };
  // The best of three each: the machine is shared.
  const best = (wasm: boolean) => [time(wasm), time(wasm), time(wasm)].reduce((a, b) => (b.ms < a.ms ? b : a));
  const [w, j] = [best(true), best(false)];
  assert.deepEqual(w.out, j.out);
  assert.equal(w.out.filter((l) => l.startsWith('corrupt')).length, 10_000);
  // Each declined record once cost a copy of the window (22x slower); now 64 KiB are framed in
  // JavaScript before WebAssembly is tried again.
  assert.ok(w.ms < j.ms * 4 + 20, `WebAssembly ${w.ms.toFixed(1)} ms against JavaScript ${j.ms.toFixed(1)} ms`);
});
