"""scikit-learn's PCA on the same rows as ours (bench/pca.ts, issue 17): reads n×d float32 from a raw file,
fits PCA(components) on all rows (svd_solver as asked; 'auto' picks randomized for MNIST-sized input) and
projects them, `repeat` times, and prints one JSON line per run: seconds and explained variances."""
import json
import sys
import time

import numpy as np
from sklearn.decomposition import PCA


def main():
    path, n, d, components, solver, repeat = sys.argv[1:7]
    n, d, components, repeat = int(n), int(d), int(components), int(repeat)
    x = np.fromfile(path, dtype=np.float32).reshape(n, d)
    for _ in range(repeat):
        t0 = time.perf_counter()
        p = PCA(n_components=components, svd_solver=solver, random_state=0)
        p.fit_transform(x)
        seconds = time.perf_counter() - t0
        print(json.dumps({"seconds": seconds, "variances": p.explained_variance_.tolist(), "solver": solver}), flush=True)


if __name__ == "__main__":
    main()
