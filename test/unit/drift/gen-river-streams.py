# Regenerates river-streams.json: the streams river 0.26 tests and docstrings feed its detectors.
# Run with python3 + numpy from this folder: python3 gen-river-streams.py
import random, json
import numpy as np
out = {}
def digits(xs): return ''.join(str(int(x)) for x in xs)
rng = random.Random(12345)
out['docstring_12345_choices'] = digits(rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000))
rng = random.Random(42)
out['regression_42_four_segments'] = digits(rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000) + rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000))
rng = random.Random(42)
out['binary_42_weighted'] = digits(rng.choices([0, 1], k=1000) + rng.choices([0, 1], k=1000, weights=[0.3, 0.7]))
rng = random.Random(42)
out['fhddm_42'] = digits(rng.choices([0, 1], k=250) + rng.choices([0, 1], k=250, weights=[0.9, 0.1]))
rng = random.Random(12345)
out['cusum_12345_gauss'] = [rng.gauss(0, 1) for _ in range(200)] + [rng.gauss(3, 1) for _ in range(200)]
np.random.seed(12345)
out['test_stream_1'] = digits(np.concatenate((np.random.randint(2, size=1000), np.random.randint(8, size=1000))))
np.random.seed(12345)
out['test_stream_2'] = digits(np.concatenate([[np.random.binomial(1, 0.2) for _ in range(1000)], [np.random.binomial(1, 0.8) for _ in range(1000)]]).astype(int))
np.random.seed(12345)
out['test_stream_3'] = digits(np.concatenate((np.random.normal(0.0, 0.1, 500) > 0, np.random.normal(0.25, 0.1, 500) > 0, np.random.normal(0.0, 0.1, 500) > 0, np.random.normal(0.25, 0.1, 500) > 0)).astype(int))
json.dump(out, open('river-streams.json', 'w'), indent=1)
