/**
 * CPython's `setsize`: `sample` uses the pool method when n is at most this, else a set.
 * 21 + 4^ceil(log4(3k)) for k > 5; an integer loop, since it runs once per KSWIN update.
 */
function poolMethodLimit(k: number): number {
  if (k <= 5) return 21;
  let power = 1;
  while (power < 3 * k) power *= 4;
  return 21 + power;
}

/**
 * Python's `random.Random` (MT19937, CPython's seeding) for exactly the calls river's KSWIN makes:
 * `Random(seed)` then `sample(range(n), k)`. With the same integer seed it draws the same indices
 * as CPython, which is what lets KSWIN reproduce river's detection indices.
 *
 * Matsumoto & Nishimura, "Mersenne Twister", ACM TOMACS 8(1), 1998.
 *
 * @example
 * const rng = new PythonRandom(42);
 * rng.sample(70, 30); // same as random.Random(42).sample(range(70), 30)
 */
export class PythonRandom {
  // Int32Array rather than Uint32Array: V8 keeps int32 loads in registers, while a uint32 above
  // 2^31 becomes a double. Every use goes through >>> or & so the sign bit means nothing.
  private readonly mt = new Int32Array(624);
  /** The current block of 624 tempered outputs; CPython hands them out one by one, we temper them in one pass. */
  private readonly outputs = new Int32Array(624);
  private index = 624;
  // Scratch for the pool method of `sample`: the identity to start from, and room for the rejected
  // draws' dummy writes (see `samplePool`).
  private identity = new Int32Array(0);
  private scratch = new Int32Array(0);

  constructor(seed: number) {
    this.seed(seed);
  }

  /** CPython's `seed(int)`: init_by_array over the 32-bit words of |seed|. */
  seed(seed: number): void {
    let n = Math.abs(Math.trunc(seed));
    const key: number[] = [];
    do {
      key.push(n % 0x100000000);
      n = Math.floor(n / 0x100000000);
    } while (n > 0);
    this.initGenrand(19650218);
    const mt = this.mt;
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.index = 624;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(prev, 1812433253) + i) >>> 0;
    }
    this.index = 624;
  }

  /** Next 32-bit output of the generator. */
  nextUint32(): number {
    if (this.index >= 624) this.nextBlock();
    return this.outputs[this.index++]! >>> 0;
  }

  /** Twists the state and tempers all 624 outputs of the new block. */
  private nextBlock(): void {
    const mt = this.mt;
    let k = 0;
    // -(y & 1) & MATRIX_A instead of a branch on the low bit: the bit is random, a branch mispredicts.
    for (; k < 227; k++) {
      const y = (mt[k]! & 0x80000000) | (mt[k + 1]! & 0x7fffffff);
      mt[k] = mt[k + 397]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    for (; k < 623; k++) {
      const y = (mt[k]! & 0x80000000) | (mt[k + 1]! & 0x7fffffff);
      mt[k] = mt[k - 227]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    const y = (mt[623]! & 0x80000000) | (mt[0]! & 0x7fffffff);
    mt[623] = mt[396]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    const out = this.outputs;
    for (let i = 0; i < 624; i++) {
      let t = mt[i]!;
      t ^= t >>> 11;
      t ^= (t << 7) & 0x9d2c5680;
      t ^= (t << 15) & 0xefc60000;
      t ^= t >>> 18;
      out[i] = t;
    }
    this.index = 0;
  }

  /** `random.random()`: a double in [0, 1) from 53 random bits. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `getrandbits(k)` for 0 < k <= 32. */
  getrandbits(k: number): number {
    return this.nextUint32() >>> (32 - k);
  }

  /** `_randbelow(n)`: rejection sampling on n.bit_length() bits, as CPython does. */
  randbelow(n: number): number {
    if (n <= 0) return 0;
    const k = 32 - Math.clz32(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `sample(range(n), k)`: k distinct indices in CPython's order (pool or set method). */
  sample(n: number, k: number): Int32Array {
    return this.sampleInto(n, k, new Int32Array(k));
  }

  /** `sample(range(n), k)` written into `out` (length >= k). */
  sampleInto(n: number, k: number, out: Int32Array): Int32Array {
    if (k < 0 || k > n) throw new RangeError(`sample larger than population (k=${k}, n=${n})`);
    if (n <= poolMethodLimit(k)) {
      this.samplePool(n, k, out);
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        out[i] = j;
      }
    }
    return out;
  }

  /**
   * CPython's pool method: `j = randbelow(n - i); result[i] = pool[j]; pool[j] = pool[n - i - 1]`.
   * This is KSWIN's hot loop (about 42 draws per update for 30 of 70), so it is written without a
   * data-dependent branch: about a third of the draws are rejected at random, and a branch on that
   * mispredicts. A rejected draw still reads the pool and writes to a dummy slot above the pool,
   * and does not advance i.
   */
  private samplePool(n: number, k: number, out: Int32Array): void {
    // Every draw is below 2^bitLength(n) = dummy, so pool[r] and pool[r | dummy] stay in range.
    const dummy = 1 << (32 - Math.clz32(n));
    if (this.identity.length !== n) {
      this.identity = Int32Array.from({ length: n }, (_, i) => i);
      this.scratch = new Int32Array(2 * dummy);
    }
    const pool = this.scratch;
    pool.set(this.identity);
    const outputs = this.outputs;
    let p = this.index;
    let m = n;
    let i = 0;
    while (i < k) {
      if (p === 624) {
        this.nextBlock();
        p = 0;
      }
      // getrandbits(bitLength(m)) is the top bitLength(m) bits of the output, i.e. >>> clz32(m).
      const r = outputs[p++]! >>> Math.clz32(m);
      const accepted = (r - m) >>> 31;
      out[i] = pool[r]!;
      pool[r | ((accepted - 1) & dummy)] = pool[m - 1]!;
      i += accepted;
      m -= accepted;
    }
    this.index = p;
  }
}
