/**
 * ROC AUC of scores against binary labels, as scikit-learn's `roc_auc_score` defines it: the
 * probability that a random positive scores above a random negative, a tie counting one half
 * (the Mann-Whitney U over mid-ranks, which is the trapezoidal area under the ROC curve).
 *
 * @param scores one score per row; higher means "more likely positive"
 * @param positive `true` for a positive row, same length as `scores`
 * @throws RangeError when the lengths differ, a score is NaN, or a class is empty (sklearn raises
 *   too: the AUC is undefined with one class)
 *
 * @example rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]) // 0.75
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length;
  if (positive.length !== n) {
    throw new RangeError(`rocAuc: ${n} scores but ${positive.length} labels`);
  }
  let nPos = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`rocAuc: score ${i} is NaN`);
    if (positive[i]) nPos++;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new RangeError('rocAuc: both classes need at least one row (the AUC is undefined with one)');
  }
  // Each class sorted on its own with the native numeric sort (sorting indices by a comparator
  // was a tenth of explaining a drift), then one merge: U counts, for every positive, the
  // negatives below it and half those equal to it. U is the positives' mid-rank sum less
  // nPos (nPos + 1) / 2 exactly (whole and half numbers), so the AUC is the same to the bit.
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(nNeg);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (positive[i]) pos[p++] = scores[i]!;
    else neg[q++] = scores[i]!;
  }
  pos.sort();
  neg.sort();
  let u = 0;
  let below = 0;
  let upTo = 0;
  for (let i = 0; i < nPos; i++) {
    const s = pos[i]!;
    while (below < nNeg && neg[below]! < s) below++;
    if (upTo < below) upTo = below;
    // -0 and 0 sort apart but compare equal: both are among the ties.
    while (upTo < nNeg && neg[upTo] === s) upTo++;
    u += below + (upTo - below) / 2;
  }
  return u / (nPos * nNeg);
}
