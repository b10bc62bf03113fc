import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { crc32c, maskedCrc32c } from '../../../src/core/tfevents/crc32c';
import { TfRecordFramer, type Corruption } from '../../../src/core/tfevents/record-framer';
import { FIXTURES, concat, record, scalarEvent } from './helpers';

const FILE = readFileSync(`${FIXTURES}/diverge_lr5/events.out.tfevents.1795406056.vm.428.4`);

interface Framed {
  offsets: number[];
  payloads: string[];
  corruptions: Corruption[];
  tail: Corruption | undefined;
}

/** Frames `bytes` pushed in chunks of `chunk` bytes (whole file when 0). */
function frame(bytes: Uint8Array, chunk = 0, options = {}): Framed {
  const framer = new TfRecordFramer(options);
  const out: Framed = { offsets: [], payloads: [], corruptions: [], tail: undefined };
  const onRecord = (p: Uint8Array, offset: number) => {
    out.offsets.push(offset);
    out.payloads.push(Buffer.from(p).toString('hex'));
  };
  const onCorruption = (c: Corruption) => out.corruptions.push(c);
  const size = chunk || bytes.length;
  for (let i = 0; i < bytes.length; i += size) framer.push(bytes.subarray(i, i + size), onRecord, onCorruption);
  out.tail = framer.finish();
  return out;
}

const intact = frame(FILE);

test('crc32c matches the published test vectors', () => {
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(maskedCrc32c(new TextEncoder().encode('\x1a\x11CRC test, one two')), 0x5794d08a);
  const ramp = Uint8Array.from({ length: 32 }, (_, i) => i);
  assert.equal(crc32c(ramp), 0x46dd794e);
  assert.equal(crc32c(ramp, 3, 3), 0);
  assert.equal(crc32c(ramp.subarray(5, 29)), crc32c(ramp, 5, 29));
});

test('an intact real file frames into 259 records with no corruption', () => {
  assert.equal(intact.offsets.length, 259);
  assert.equal(intact.offsets[0], 0);
  assert.deepEqual(intact.corruptions, []);
  assert.equal(intact.tail, undefined);
});

test('every chunk size gives the same records as one push', () => {
  for (const chunk of [1, 2, 7, 12, 13, 16, 50, 51, 4096]) {
    const r = frame(FILE, chunk);
    assert.deepEqual(r.offsets, intact.offsets, `chunk ${chunk}`);
    assert.deepEqual(r.payloads, intact.payloads, `chunk ${chunk}`);
    assert.deepEqual(r.corruptions, []);
  }
});

test('a flipped byte in a length field loses only that record', () => {
  const k = 10;
  const at = intact.offsets[k]!;
  const damaged = Uint8Array.from(FILE);
  damaged[at + 1]! ^= 0x40;
  for (const chunk of [0, 1, 9]) {
    const r = frame(damaged, chunk);
    assert.deepEqual(r.corruptions, [{ offset: at, message: 'record length checksum mismatch; skipping to the next intact record' }]);
    assert.deepEqual(r.offsets, intact.offsets.filter((_, i) => i !== k));
    assert.equal(r.tail, undefined);
  }
});

test('a flipped byte in a payload loses only that record, and --no-data-crc keeps it', () => {
  const k = 20;
  const at = intact.offsets[k]!;
  const damaged = Uint8Array.from(FILE);
  damaged[at + 14]! ^= 0x01;
  const length = intact.offsets[k + 1]! - at - 16;
  const r = frame(damaged, 5);
  assert.deepEqual(r.corruptions, [{ offset: at, message: `record payload checksum mismatch (${length} bytes); record skipped` }]);
  assert.deepEqual(r.offsets, intact.offsets.filter((_, i) => i !== k));
  const unchecked = frame(damaged, 0, { verifyDataCrc: false });
  assert.deepEqual(unchecked.corruptions, []);
  assert.deepEqual(unchecked.offsets, intact.offsets);
});

test('a truncated tail is kept pending and reported by finish()', () => {
  const last = intact.offsets[intact.offsets.length - 1]!;
  const cut = FILE.subarray(0, last + 20);
  const r = frame(cut, 3);
  assert.deepEqual(r.offsets, intact.offsets.slice(0, -1));
  assert.deepEqual(r.corruptions, []);
  assert.equal(r.tail?.offset, last);
  assert.equal(r.tail?.message, `file ends mid-record (20 of ${FILE.length - last} bytes present); the writer may still be writing it`);
});

test('a hostile 2^60 length with a valid checksum allocates nothing and is skipped', () => {
  const k = 5;
  const at = intact.offsets[k]!;
  const damaged = Uint8Array.from(FILE);
  const view = new DataView(damaged.buffer);
  view.setUint32(at, 0, true);
  view.setUint32(at + 4, 2 ** 28, true); // 2^60
  view.setUint32(at + 8, maskedCrc32c(damaged, at, at + 8), true);
  const r = frame(damaged);
  assert.deepEqual(r.corruptions, [
    { offset: at, message: `record length ${2 ** 60} exceeds the 134217728-byte limit; skipping to the next intact record` },
  ]);
  assert.deepEqual(r.offsets, intact.offsets.filter((_, i) => i !== k));
  // Just under the limit: the framer waits for bytes that never come, holding only what it was given.
  const small = new TfRecordFramer({ maxRecordBytes: 1000 });
  const header = new Uint8Array(12);
  new DataView(header.buffer).setUint32(0, 999, true);
  new DataView(header.buffer).setUint32(8, maskedCrc32c(header, 0, 8), true);
  small.push(header, () => assert.fail('no record'), () => assert.fail('no corruption'));
  assert.equal(small.pendingBytes, 12);
});

test('a random garbage prefix is reported once and every record after it is read', () => {
  let seed = 12345;
  const garbage = Uint8Array.from({ length: 100 }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed >>> 16;
  });
  const r = frame(concat([garbage, FILE]), 7);
  assert.deepEqual(r.corruptions, [{ offset: 0, message: 'record length checksum mismatch; skipping to the next intact record' }]);
  assert.deepEqual(r.offsets, intact.offsets.map((o) => o + 100));
  assert.deepEqual(r.payloads, intact.payloads);
});

test('random bytes and text give one corruption and no records', () => {
  const text = new TextEncoder().encode('this is not an event file, just text named like one\n'.repeat(20));
  const r = frame(text, 64);
  assert.equal(r.offsets.length, 0);
  assert.deepEqual(r.corruptions.map((c) => c.offset), [0]);
  assert.equal(r.tail, undefined);
});

test('a record completed by a later push is emitted once, at its offset', () => {
  const a = record(scalarEvent('loss', 1, 0.5));
  const b = record(scalarEvent('loss', 2, 0.25));
  const framer = new TfRecordFramer();
  const seen: number[] = [];
  framer.push(concat([a, b.subarray(0, 9)]), (_, o) => seen.push(o), () => assert.fail());
  assert.deepEqual(seen, [0]);
  assert.equal(framer.pendingBytes, 9);
  framer.push(b.subarray(9), (_, o) => seen.push(o), () => assert.fail());
  assert.deepEqual(seen, [0, a.length]);
  assert.equal(framer.pendingBytes, 0);
  assert.equal(framer.framedOffset, a.length + b.length);
});

test('bad framer options throw, naming the option', () => {
  assert.throws(() => new TfRecordFramer({ maxRecordBytes: 0 }), /maxRecordBytes must be an integer/);
  assert.throws(() => new TfRecordFramer({ maxRecordBytes: 2 ** 33 }), /maxRecordBytes/);
});
