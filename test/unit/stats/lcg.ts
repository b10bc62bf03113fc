/**
 * Park-Miller LCG, four uniforms summed and centred (Irwin-Hall): the same float operations as
 * the python generator behind scipy-reference.json, so both sides build identical samples.
 */
export function lcgSample(seed: number, n: number, shift = 0, scale = 1): number[] {
  let s = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let k = 0; k < 4; k++) {
      s = (s * 48271) % 2147483647;
      t += s / 2147483647;
    }
    out.push((t - 2.0) * scale + shift);
  }
  return out;
}
