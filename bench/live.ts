/**
 * What watching a model learn costs (issue 15): trains one model on the
 * first N MNIST images through the engine, with the live map at its defaults
 * (LIVE_MAP_DEFAULTS: at most 10% of the run, every epoch end, mid-epoch
 * every 3 s where epochs are long, a 10,000 sample above that), and prints
 * each snapshot (when, what it mapped, its cost) and the share of the train
 * job's wall time the snapshots took.
 * Usage: npx tsx bench/live.ts [--n 5000] [--epochs 3] [--model wide (the default kind)]
 */
import { Engine } from '../src-main/engine/engine.js';
import { decodeI32, DEFAULT_MODEL_KIND, MODEL_KINDS, type ModelKind } from '../src-main/protocol.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const n = Number(arg('n', '5000'));
const epochs = Number(arg('epochs', '3'));
const model = arg('model', DEFAULT_MODEL_KIND) as ModelKind;
if (!MODEL_KINDS.includes(model)) throw new Error(`--model: one of ${MODEL_KINDS.join(', ')}, not ${model}`);
if (!(Number.isInteger(n) && n >= 2 && n <= 70_000)) throw new Error(`--n: an integer from 2 to 70000, not ${n}`);

let started = performance.now();
let snapshotSeconds = 0;
let snapshots = 0;
let lossPoints = 0;
const at = () => ((performance.now() - started) / 1000).toFixed(1).padStart(6);
const engine = new Engine((e) => {
  if (e.type === 'ready') console.log(`backend ${e.backend}`);
  else if (e.type === 'trainSnapshot') {
    snapshots++;
    snapshotSeconds += e.seconds;
    const mapped = e.items ? decodeI32(e.items).length : n;
    const when = e.endOfEpoch ? `end of epoch ${e.epoch}` : `during epoch ${e.epoch}`;
    console.log(`${at()} s  snapshot ${when}: ${mapped} items, ${e.seconds.toFixed(3)} s`);
  } else if (e.type === 'epoch')
    console.log(`${at()} s  epoch ${e.log.epoch}: ${e.log.seconds.toFixed(1)} s, loss ${e.log.loss.toFixed(4)}`);
  else if (e.type === 'trainLoss') lossPoints++;
  else if (e.type === 'error' || e.type === 'log') console.log(`${e.type}: ${e.message}`);
});
await engine.handle({ type: 'hello' });
await engine.handle({ type: 'loadDataset', jobId: 'load', source: { kind: 'mnist', limit: n } });
started = performance.now();
await engine.handle({ type: 'train', jobId: 'train', params: { model, epochs } });
const total = (performance.now() - started) / 1000;
console.log(
  `n ${n}, ${model}, ${epochs} epochs: train job ${total.toFixed(1)} s; ${snapshots} snapshots took ` +
    `${snapshotSeconds.toFixed(2)} s (${((100 * snapshotSeconds) / total).toFixed(1)}%); ${lossPoints} loss points`,
);
