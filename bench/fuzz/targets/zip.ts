import { deflateRawSync } from 'node:zlib';
import { ascii, concat, u16le, u32le, u64le } from '../bytes';
import { mutate } from '../mutate';
import { stateDictPickle } from '../pickle-writer';
import type { Random } from '../random';
import type { TargetContext } from '../target';
import { CheckpointFileTarget } from './checkpoint-file';
import { hostilePickle, hostileTensorSpec, readCheckpointFixture, zipMembers, type ZipMember } from './integrity-seeds';

/** What the central directory says about a member; starts true and may be made to lie. */
interface DirectoryFields {
  name: Uint8Array;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** ZIP64 extra field values, written when a fixed field is saturated. */
  zip64: bigint[];
}

const SATURATED = 0xffffffff;

function localHeader(m: ZipMember, size: number): Uint8Array {
  const name = ascii(m.name);
  return concat([u32le(0x04034b50), u16le(20), u16le(0), u16le(m.method), u32le(0), u32le(0), u32le(m.data.length), u32le(size), u16le(name.length), u16le(0), name]);
}

function centralEntry(f: DirectoryFields): Uint8Array {
  const extra = f.zip64.length ? concat([u16le(1), u16le(f.zip64.length * 8), ...f.zip64.map((v) => u64le(v))]) : new Uint8Array(0);
  return concat([
    u32le(0x02014b50), u16le(20), u16le(20), u16le(0), u16le(f.method), u32le(0), u32le(0),
    u32le(f.compressedSize), u32le(f.size), u16le(f.name.length), u16le(extra.length), u16le(0), u16le(0), u16le(0), u32le(0), u32le(f.localOffset),
    f.name, extra,
  ]);
}

const HOSTILE_U32 = [0, 1, 29, 30, 0x7fffffff, 0xfffffffe, SATURATED];
const HOSTILE_U64 = [0n, 1n, 2n ** 31n - 1n, 2n ** 32n - 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];

/** Lies the directory can tell about a member: sizes, offsets, method, ZIP64 extras, names. */
function corrupt(rng: Random, f: DirectoryFields): void {
  switch (rng.below(7)) {
    case 0:
      f.size = rng.pick(HOSTILE_U32);
      break;
    case 1:
      f.compressedSize = rng.pick(HOSTILE_U32);
      break;
    case 2:
      f.localOffset = rng.pick(HOSTILE_U32);
      break;
    case 3:
      f.method = rng.pick([0, 8, 12, 14, 99, 0xffff]);
      break;
    case 4:
      f.size = SATURATED;
      if (rng.chance(0.5)) f.compressedSize = SATURATED;
      if (rng.chance(0.3)) f.localOffset = SATURATED;
      f.zip64 = Array.from({ length: rng.below(4) }, () => rng.pick(HOSTILE_U64));
      break;
    case 5: {
      // Names: case variants, traversal, doubled slashes, NULs, invalid UTF-8, empty, very long.
      const text = new TextDecoder().decode(f.name);
      f.name = rng.pick([
        () => ascii(text.toUpperCase()),
        () => ascii(text.replace('data.pkl', 'Data.pkl')),
        () => ascii(`../${text}`),
        () => ascii(text.replace('/', '//')),
        () => concat([f.name, new Uint8Array([0])]),
        () => concat([f.name, new Uint8Array([0xff, 0xfe])]),
        () => new Uint8Array(0),
        () => ascii('a/'.repeat(30_000) + 'data.pkl'),
      ])();
      break;
    }
    default:
      f.localOffset += rng.between(-64, 64);
  }
}

/**
 * torch.save zip checkpoints: the real fixture mutated, and zips rebuilt from its members with a
 * directory that lies (sizes, offsets, methods, ZIP64 extras, entry counts, names), hostile
 * data.pkl pickles, lying storage sizes under huge tensor views, and inflate bombs, each read by
 * `inspectCheckpoint`.
 */
export class ZipTarget extends CheckpointFileTarget {
  readonly name = 'zip';
  readonly describes = 'torch.save zips: inspectCheckpoint (end records, central directory, local headers, data.pkl, storages), fail-closed check';
  private file: Uint8Array = new Uint8Array(0);
  private members: ZipMember[] = [];
  private bombs: Uint8Array[] = [];

  protected load(context: TargetContext): void {
    this.file = readCheckpointFixture(context.root, 'digits_cnn.pt');
    this.members = zipMembers(this.file);
    // Deflated runs of zeros: a few kilobytes that inflate to 1 MB and 60 MB.
    this.bombs = [1 << 20, 60 << 20].map((n) => new Uint8Array(deflateRawSync(new Uint8Array(n), { level: 9 })));
  }

  generate(rng: Random): Uint8Array {
    if (rng.chance(0.2)) return mutate(rng, this.file, [], 1 << 20);
    const members = this.members.map((m) => ({ ...m }));
    const sizes = members.map((m) => m.data.length);
    const pkl = members.findIndex((m) => m.name.endsWith('data.pkl'));
    const prefix = members[pkl]!.name.slice(0, -'data.pkl'.length);
    switch (rng.below(4)) {
      case 0:
        members[pkl]!.data = rng.chance(0.5) ? hostilePickle(rng, [this.members[pkl]!.data]) : stateDictPickle(Array.from({ length: 1 + rng.below(4) }, (_, i) => hostileTensorSpec(rng, i)));
        sizes[pkl] = members[pkl]!.data.length;
        break;
      case 1: {
        const bomb = rng.below(this.bombs.length);
        members[pkl] = { ...members[pkl]!, method: 8, data: this.bombs[bomb]! };
        sizes[pkl] = bomb === 0 ? 1 << 20 : 60 << 20;
        break;
      }
      case 2:
        // A second pickle beside data.pkl, possibly under a case variant of the name.
        members.push({ name: rng.pick([`${prefix}extra.pkl`, `${prefix}DATA.PKL`, `${prefix}data.pkl`, 'data.pkl']), method: 0, data: hostilePickle(rng, []) });
        sizes.push(members[members.length - 1]!.data.length);
        break;
      default:
        break;
    }
    const locals: Uint8Array[] = [];
    const fields: DirectoryFields[] = [];
    let offset = 0;
    members.forEach((m, i) => {
      const header = localHeader(m, sizes[i]!);
      fields.push({ name: ascii(m.name), method: m.method, compressedSize: m.data.length, size: sizes[i]!, localOffset: offset, zip64: [] });
      locals.push(header, m.data);
      offset += header.length + m.data.length;
    });
    for (let n = rng.below(4); n > 0; n--) corrupt(rng, rng.pick(fields));
    const directory = concat(fields.map(centralEntry));
    let count = fields.length;
    let cdSize = directory.length;
    let cdOffset = offset;
    if (rng.chance(0.2)) count = rng.pick([0, 1, 0xffff, count + 1]);
    if (rng.chance(0.1)) cdSize = rng.pick(HOSTILE_U32);
    if (rng.chance(0.1)) cdOffset = rng.pick(HOSTILE_U32);
    const tail: Uint8Array[] = [];
    if (rng.chance(0.2)) {
      // ZIP64 end record and locator, possibly pointing elsewhere.
      const recordAt = offset + directory.length;
      const record = concat([u32le(0x06064b50), u64le(44n), u16le(45), u16le(45), u32le(0), u32le(0), u64le(BigInt(count)), u64le(BigInt(count)), u64le(BigInt(cdSize)), u64le(BigInt(cdOffset))]);
      const locatorAt = rng.chance(0.7) ? BigInt(recordAt) : rng.pick(HOSTILE_U64);
      tail.push(record, concat([u32le(0x07064b50), u32le(0), u64le(locatorAt), u32le(1)]));
      count = 0xffff;
      cdSize = SATURATED;
      cdOffset = SATURATED;
    }
    const comment = rng.chance(0.1) ? ascii('PK\u0005\u0006'.repeat(rng.size(1000))) : new Uint8Array(0);
    const eocd = concat([u32le(0x06054b50), u16le(0), u16le(0), u16le(count & 0xffff), u16le(count & 0xffff), u32le(cdSize), u32le(cdOffset), u16le(comment.length), comment]);
    return concat([...locals, directory, ...tail, eocd]);
  }
}
