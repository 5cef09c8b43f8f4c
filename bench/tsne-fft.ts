/** CPU time of one FFT repulsion evaluation per grid size. Usage: tsx bench/tsne-fft.ts */
import { FftRepulsion } from '../src-main/engine/tsne/gradient-fft.js';
import { createRandom } from '../src-main/engine/util/random.js';

for (const [n, side] of [
  [10000, 30],
  [10000, 80],
  [70000, 150],
]) {
  const r = createRandom(3);
  const y = new Float64Array(2 * n);
  for (let t = 0; t < 2 * n; t++) y[t] = (r.next() - 0.5) * side;
  const out = new Float64Array(2 * n);
  const rep = new FftRepulsion();
  rep.compute(y, n, out);
  const c0 = process.cpuUsage();
  for (let k = 0; k < 5; k++) {
    y[0] += 1e-9;
    rep.compute(y, n, out);
  }
  const c = process.cpuUsage(c0);
  console.log(`fft-repulsion N=${n} span=${side} grid=${rep.lastGrid} cpu=${((c.user + c.system) / 5e3).toFixed(1)}ms`);
}
