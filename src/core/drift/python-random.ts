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
  private readonly mt = new Uint32Array(624);
  private index = 625;

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
    const mt = this.mt;
    if (this.index >= 624) this.twist();
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const mt = this.mt;
    let k = 0;
    for (; k < 227; k++) {
      const y = (mt[k]! & 0x80000000) | (mt[k + 1]! & 0x7fffffff);
      mt[k] = mt[k + 397]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    for (; k < 623; k++) {
      const y = (mt[k]! & 0x80000000) | (mt[k + 1]! & 0x7fffffff);
      mt[k] = mt[k - 227]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    const y = (mt[623]! & 0x80000000) | (mt[0]! & 0x7fffffff);
    mt[623] = mt[396]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
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

  /** `sample(range(n), k)` written into `out` (length >= k); `pool` (length >= n) is scratch space. */
  sampleInto(n: number, k: number, out: Int32Array, pool?: Int32Array): Int32Array {
    if (k < 0 || k > n) throw new RangeError(`sample larger than population (k=${k}, n=${n})`);
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setsize) {
      const p = pool && pool.length >= n ? pool : new Int32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        out[i] = p[j]!;
        p[j] = p[n - i - 1]!;
      }
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
}
