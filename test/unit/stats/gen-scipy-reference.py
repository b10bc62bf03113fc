# Regenerates scipy-reference.json (scipy 1.17 / numpy 2.4) for stats.test.ts, and kolmogorov-grid.json.
# Run from this folder: python3 gen-scipy-reference.py
import json, math
import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

def sample(seed, n, shift=0.0, scale=1.0):
    # Park-Miller LCG, Irwin-Hall(4) centred: same float ops as test/unit/stats/lcg.ts
    s = seed
    out = []
    for _ in range(n):
        t = 0.0
        for _ in range(4):
            s = (s * 48271) % 2147483647
            t += s / 2147483647
        out.append((t - 2.0) * scale + shift)
    return out

def js_ref(ref, cur, bins):
    ref = np.asarray(ref); cur = np.asarray(cur)
    edges = np.histogram_bin_edges(ref, bins=bins)
    r, _ = np.histogram(ref, bins=edges)
    c, _ = np.histogram(np.clip(cur, edges[0], edges[-1]), bins=edges)
    return r, c

def psi_ref(ref, cur, bins):
    ref = np.asarray(ref); cur = np.asarray(cur)
    q = np.quantile(ref, np.linspace(0, 1, bins + 1))
    inner = q[1:-1]
    r = np.bincount(np.searchsorted(inner, ref, side='right'), minlength=bins)
    c = np.bincount(np.searchsorted(inner, cur, side='right'), minlength=bins)
    e = r / len(ref); a = c / len(cur)
    e = np.where(e == 0, 1e-4, e); a = np.where(a == 0, 1e-4, a)
    return float(np.sum((a - e) * np.log(a / e)))

def hell(r, c):
    p = r / r.sum(); q = c / c.sum()
    return float(np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)) / np.sqrt(2))

out = {"ks": [], "numeric": [], "chi2": [], "z": [], "chi2sf": [], "categorical": []}
ks_cases = [(1, 30, 2, 30, 0.8), (3, 100, 4, 137, 0.5), (5, 800, 6, 1000, 0.1), (7, 20000, 8, 20000, 0.03), (9, 20000, 10, 15000, 0.0), (11, 12000, 12, 60, 0.4)]
for sa, na, sb, nb, shift in ks_cases:
    a = sample(sa, na); b = sample(sb, nb, shift)
    r = stats.ks_2samp(a, b)
    out["ks"].append({"seedA": sa, "nA": na, "seedB": sb, "nB": nb, "shift": shift, "statistic": float(r.statistic), "pValue": float(r.pvalue)})
# KS on tied integer data (exact method, unequal sizes)
a = [float(x) for x in np.arange(200) % 7]; b = [float(x) for x in (np.arange(150) * 3) % 8]
r = stats.ks_2samp(a, b)
out["ks_ties"] = {"a": a, "b": b, "statistic": float(r.statistic), "pValue": float(r.pvalue)}
for sa, na, sb, nb, shift, scale in [(21, 1000, 22, 800, 0.3, 1.3), (23, 5000, 24, 5000, 0.05, 1.0), (25, 300, 26, 2000, -1.5, 0.5)]:
    a = sample(sa, na); b = sample(sb, nb, shift, scale)
    rj, cj = js_ref(a, b, 10)
    rj20, cj20 = js_ref(a, b, 20)
    w = stats.wasserstein_distance(a, b)
    out["numeric"].append({"seedA": sa, "nA": na, "seedB": sb, "nB": nb, "shift": shift, "scale": scale,
        "wasserstein": float(w), "normalizedWasserstein": float(w / np.std(a)),
        "jensenshannon10": float(jensenshannon(rj, cj)), "jensenshannon20": float(jensenshannon(rj20, cj20)),
        "psi10": psi_ref(a, b, 10), "psi5": psi_ref(a, b, 5), "hellinger10": hell(rj, cj)})
for t in [[[50, 30, 20], [30, 45, 25]], [[10, 20], [30, 5]], [[12, 7], [5, 9]], [[100, 200, 300, 400], [110, 190, 310, 390], [90, 210, 280, 420]], [[5, 5, 5]], [[1000, 10], [10, 1000]]]:
    r = stats.chi2_contingency(t)
    out["chi2"].append({"table": t, "statistic": float(r.statistic), "pValue": float(r.pvalue), "dof": int(r.dof)})
for s1, n1, s2, n2 in [(45, 100, 60, 100), (300, 1000, 320, 1000), (5, 50, 30, 40), (1, 2000, 60, 2000)]:
    p1 = s1 / n1; p2 = s2 / n2; P = (s1 + s2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2))
    out["z"].append({"s1": s1, "n1": n1, "s2": s2, "n2": n2, "statistic": z, "pValue": float(2 * stats.norm.sf(abs(z)))})
for x, k in [(0.5, 1), (3.84, 1), (8.5, 2), (30.0, 5), (200.0, 10), (1e-3, 3), (1500.0, 4)]:
    out["chi2sf"].append({"x": x, "dof": k, "sf": float(stats.chi2.sf(x, k))})
ref = {"a": 500, "b": 300, "c": 200}; cur = {"a": 400, "b": 350, "c": 150, "d": 100}
keys = ["a", "b", "c", "d"]
r = np.array([ref.get(k, 0) for k in keys], float); c = np.array([cur.get(k, 0) for k in keys], float)
e = np.where(r == 0, 1e-4, r / r.sum()); a_ = np.where(c == 0, 1e-4, c / c.sum())
out["categorical"] = {"reference": ref, "current": cur, "jensenshannon": float(jensenshannon(r, c)), "psi": float(np.sum((a_ - e) * np.log(a_ / e))), "hellinger": hell(r, c)}
# Branch coverage of the asymptotic p-value: Durbin matrix (n > 140, tiny D) and n <= 140 region
a = sample(13, 20000); b = list(a); b[:40] = [x + 5 for x in b[:40]]
r1 = stats.ks_2samp(a, b)
a2 = sample(15, 12000); b2 = sample(16, 60, 0.1)
r2 = stats.ks_2samp(a2, b2)
out["ks_branches"] = [{"kind": "perturbed", "statistic": float(r1.statistic), "pValue": float(r1.pvalue)},
                      {"kind": "small", "statistic": float(r2.statistic), "pValue": float(r2.pvalue)}]
# The exact method reports h / lcm, not the raw ECDF gap: pairs whose raw gap is a few ulps off
# (1/30 reported for a raw 0.03333333333333344, 0.1 for 3 of 30), with ties and unequal sizes.
import random, warnings
warnings.simplefilter('ignore')
rnd = random.Random(2026)
lattice = [([float(i) for i in range(30)], [float(i + 1) for i in range(30)]),
           ([float(i) for i in range(30)], [float(i + 3) for i in range(30)]),
           ([float(rnd.randint(0, 9)) for _ in range(30)], [float(rnd.randint(1, 10)) for _ in range(30)]),
           ([round(rnd.gauss(0, 1), 3) for _ in range(7)], [round(rnd.gauss(0.5, 1), 3) for _ in range(13)]),
           ([float(rnd.randint(0, 4)) for _ in range(10)], [float(rnd.randint(0, 4)) for _ in range(20)]),
           ([round(rnd.random(), 2) for _ in range(50)], [round(rnd.random() * 1.2, 2) for _ in range(30)])]
out["ks_lattice"] = []
for a, b in lattice:
    r = stats.ks_2samp(a, b)
    out["ks_lattice"].append({"a": a, "b": b, "statistic": float(r.statistic), "pValue": float(r.pvalue)})
json.dump(out, open('scipy-reference.json', 'w'), indent=1)
from scipy import special
ns = [1, 2, 5, 10, 50, 140, 141, 500, 5000, 20000, 100001]; xs = [0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.95]
grid = {'kstwo': [[n, x, float(stats.kstwo.sf(x, n))] for n in ns for x in xs], 'smirnov': [[n, x, float(special.smirnov(n, x))] for n in [1, 2, 5, 10, 50, 141, 500, 5000, 20000] for x in [0.01, 0.05, 0.1, 0.3, 0.5, 0.7, 0.95]]}
json.dump(grid, open('kolmogorov-grid.json', 'w'))
