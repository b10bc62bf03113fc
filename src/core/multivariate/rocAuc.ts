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
  const order = new Uint32Array(n);
  let nPos = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`rocAuc: score ${i} is NaN`);
    order[i] = i;
    if (positive[i]) nPos++;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new RangeError('rocAuc: both classes need at least one row (the AUC is undefined with one)');
  }
  order.sort((a, b) => scores[a]! - scores[b]!);
  // Sum of the positives' 1-based mid-ranks; a run of equal scores shares its mean rank.
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && scores[order[j]!] === scores[order[i]!]) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (positive[order[k]!]) rankSum += midRank;
    i = j;
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
