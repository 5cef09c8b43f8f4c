import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseCli, UsageError } from '../../src-main/cli/args.js';
import { formatEta, ProgressBars, progressLine } from '../../src-main/cli/progress.js';
import { parseCsv } from '../../src-main/engine/export/csv.js';
import { readSession } from '../../src-main/engine/export/session.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Runs the CLI from source (as `npm run cli --` does after a build) and collects its output. */
function cli(args: string[], cwd = ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'src-main/cli/main.ts'), ...args],
      { cwd },
    );
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aex-cli-'));
});
afterAll(() => dir && rm(dir, { recursive: true, force: true }));

describe('ae-explorer embed', () => {
  it('embeds 300 MNIST images for real and writes the CSV and a session', async () => {
    const out = path.join(dir, 'mnist.csv');
    const session = path.join(dir, 'mnist.aex');
    const r = await cli([
      'embed',
      'mnist',
      '--limit',
      '300',
      '--epochs',
      '1',
      '--code-size',
      '16',
      '--perplexity',
      '20',
      '--out',
      out,
      '--save-session',
      session,
    ]);
    expect(r.stderr).not.toMatch(/ae-explorer: /);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote 300 rows to ${out}`);
    // Progress with rate and ETA went to stderr.
    expect(r.stderr).toMatch(/train .*images\/s {2}ETA \d+:\d\d/);
    expect(r.stderr).toMatch(/project .*iterations\/s/);
    const rows = parseCsv(await readFile(out, 'utf8'));
    expect(rows[0]).toEqual(['index', 'label', 'x', 'y']);
    expect(rows).toHaveLength(301);
    // The first MNIST training labels are 5, 0, 4, 1, 9.
    expect(rows.slice(1, 6).map((row) => row[1])).toEqual(['5', '0', '4', '1', '9']);
    expect(rows.slice(1).every((row) => Number.isFinite(Number(row[2])) && Number.isFinite(Number(row[3])))).toBe(true);
    const s = await readSession(session);
    expect(s.dataset).toMatchObject({ n: 300, source: { kind: 'mnist', limit: 300 } });
    expect(s.model).toMatchObject({ kind: 'wide', codeSize: 16 });
    expect(s.projection!.positions[0]).toBeCloseTo(Number(rows[1][2]), 4);
  }, 120_000);

  it('embeds a folder of images at the asked size in grayscale, quoting awkward file names in the CSV', async () => {
    const folder = path.join(dir, 'shapes');
    for (const cls of ['dark', 'light']) {
      await mkdir(path.join(folder, cls), { recursive: true });
      for (let i = 0; i < 20; i++) {
        const v = cls === 'dark' ? 20 + i : 230 - i;
        const name = i === 0 ? `a,b "c" é ${cls}.png` : `${cls}-${i}.png`;
        await sharp({ create: { width: 12, height: 12, channels: 3, background: { r: v, g: v, b: v } } })
          .png()
          .toFile(path.join(folder, cls, name));
      }
    }
    const out = path.join(dir, 'shapes.csv');
    const r = await cli([
      'embed',
      folder,
      '--epochs',
      '1',
      '--code-size',
      '4',
      '--perplexity',
      '5',
      '--iterations',
      '100',
      '--size',
      '8x8',
      '--grayscale',
      '--out',
      out,
      '-q',
    ]);
    expect(r.stderr).not.toMatch(/ae-explorer: /);
    expect(r.code).toBe(0);
    // The images are 12×12 RGB: the flags reached the loader.
    expect(r.stderr).toMatch(/dataset: shapes, 40 images 8×8×1/);
    expect(r.stderr).toMatch(/resized to 8×8/);
    const rows = parseCsv(await readFile(out, 'utf8'));
    expect(rows[0]).toEqual(['index', 'file', 'label', 'x', 'y']);
    expect(rows).toHaveLength(41);
    const odd = rows.filter((row) => row[1].includes('"c"'));
    expect(odd.map((row) => [row[1], row[2]]).sort()).toEqual([
      ['dark/a,b "c" é dark.png', 'dark'],
      ['light/a,b "c" é light.png', 'light'],
    ]);
  }, 120_000);

  it('exits with 2 and the usage on a usage error', async () => {
    for (const args of [[], ['embed'], ['embed', 'mnist', '--epochs', 'ten'], ['embed', 'mnist', '--frobnicate']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^ae-explorer: .+\n\nUsage: ae-explorer embed/);
    }
  }, 60_000);

  it('exits with 1 and names the folder when it does not exist, or is a file', async () => {
    const missing = path.join(dir, 'no-such-folder');
    let r = await cli(['embed', missing, '--out', path.join(dir, 'x.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`ae-explorer: ${missing}: no such folder (give a folder of images, or mnist)`);
    const file = path.join(dir, 'a-file.txt');
    await writeFile(file, 'x');
    r = await cli(['embed', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not a folder');
  }, 60_000);

  it('prints help and exits with 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes: 0 done, 1 bad input/);
  }, 30_000);
});

describe('argument parsing', () => {
  it('takes the documented defaults', () => {
    expect(parseCli(['embed', 'mnist'])).toEqual({
      command: 'embed',
      dataset: 'mnist',
      model: 'wide',
      epochs: undefined,
      codeSize: undefined,
      batchSize: undefined,
      method: 'tsne',
      perplexity: 30,
      iterations: undefined,
      limit: undefined,
      size: undefined,
      grayscale: false,
      seed: 1,
      out: 'projections.csv',
      saveSession: undefined,
      quiet: false,
    });
  });

  it('reads every option', () => {
    expect(
      parseCli([
        'embed',
        './imgs',
        '--model',
        'conv',
        '--epochs',
        '3',
        '--code-size',
        '8',
        '--perplexity',
        '12.5',
        '--limit',
        '99',
        '--size',
        '32x24',
        '--grayscale',
        '-o',
        'a.csv',
        '--save-session',
        's.aex',
        '-q',
      ]),
    ).toMatchObject({
      dataset: './imgs',
      model: 'conv',
      epochs: 3,
      codeSize: 8,
      perplexity: 12.5,
      limit: 99,
      size: { width: 32, height: 24 },
      grayscale: true,
      out: 'a.csv',
      saveSession: 's.aex',
      quiet: true,
    });
  });

  it('reads the learning rate and each kind’s own parameter', () => {
    expect(
      parseCli(['embed', 'mnist', '--model', 'denoising', '--noise-level', '0.3', '--learning-rate', '2e-3']),
    ).toMatchObject({
      model: 'denoising',
      noiseLevel: 0.3,
      learningRate: 0.002,
    });
    expect(parseCli(['embed', 'mnist', '--model', 'sparse', '--l1', '1e-3'])).toMatchObject({
      model: 'sparse',
      l1: 0.001,
    });
  });

  it('reads a size written with x, X or ×', () => {
    for (const v of ['40x30', '40X30', '40×30', ' 40 x 30 '])
      expect(parseCli(['embed', './imgs', '--size', v]), v).toMatchObject({ size: { width: 40, height: 30 } });
  });

  it('names the mistake in each usage error', () => {
    const cases: [string[], RegExp][] = [
      [['train', 'mnist'], /unknown command "train"/],
      [['embed', 'mnist', '--model', 'gan'], /--model must be one of simple, sparse, deep/],
      [['embed', 'mnist', '--epochs', '0'], /--epochs must be an integer ≥ 1, got "0"/],
      [['embed', 'mnist', '--limit', '1.5'], /--limit must be an integer/],
      // The engine's bounds, refused before anything runs.
      [['embed', 'mnist', '--code-size', '10000000'], /--code-size must be at most 1024, got "10000000"/],
      [['embed', 'mnist', '--epochs', '1000000000'], /--epochs must be at most 1000/],
      [['embed', 'mnist', '--method', 'umap', '--iterations', '1000000000'], /--iterations must be at most 10000/],
      [['embed', 'mnist', '--perplexity', '1e6'], /--perplexity must be from 1 to 200/],
      [['embed', 'mnist', '--perplexity=-3'], /--perplexity must be a number > 0/],
      [['embed', 'mnist', '--method', 'mds'], /--method must be tsne, umap or pca/],
      [['embed', 'mnist', 'extra'], /unexpected argument "extra"/],
      [['embed', 'mnist', '--out'], /--out/],
      [['embed', './imgs', '--size', '32'], /--size must be <width>x<height> .*got "32"/],
      [['embed', './imgs', '--size', '0x5'], /--size must be/],
      [['embed', './imgs', '--size', '5000x5'], /--size must be/],
      [['embed', './imgs', '--grayscale=yes'], /grayscale/],
      [['embed', 'mnist', '--size', '32x32'], /apply to image folders/],
      [['embed', 'mnist', '--grayscale'], /apply to image folders/],
      [['embed', 'mnist', '--learning-rate', '0'], /--learning-rate must be a number > 0 and ≤ 1, got "0"/],
      [
        ['embed', 'mnist', '--model', 'denoising', '--noise-level', '1.5'],
        /--noise-level must be a number from 0 to 1/,
      ],
      [['embed', 'mnist', '--model', 'sparse', '--l1', 'lots'], /--l1 must be a number from 0 to 1, got "lots"/],
      [['embed', 'mnist', '--noise-level', '0.2'], /--noise-level applies to --model denoising, not wide/],
      [['embed', 'mnist', '--model', 'conv', '--l1', '0.01'], /--l1 applies to --model sparse, not conv/],
    ];
    for (const [args, message] of cases) {
      expect(() => parseCli(args), args.join(' ')).toThrow(UsageError);
      expect(() => parseCli(args), args.join(' ')).toThrow(message);
    }
  });
});

describe('progress bars', () => {
  it('show stage, bar, percent, rate and ETA', () => {
    const line = progressLine(
      {
        jobId: 't',
        stage: 'train',
        message: 'epoch 2/4',
        done: 5,
        total: 10,
        rate: 1234.5,
        rateUnit: 'images/s',
        etaSeconds: 75,
      },
      10,
    );
    expect(line).toBe('train   █████░░░░░  50%  1235 images/s  ETA 1:15  epoch 2/4');
    expect(formatEta(3725)).toBe('1:02:05');
    expect(formatEta(NaN)).toBe('--:--');
  });

  it('print one line per tenth when not on a terminal', () => {
    const lines: string[] = [];
    const bars = new ProgressBars({ write: (s: string) => lines.push(s), isTTY: false });
    for (let i = 0; i <= 100; i++) bars.update({ jobId: 'p', stage: 'project', message: '', done: i, total: 100 });
    expect(lines).toHaveLength(11);
  });

  it('start a new bar for each phase of a job, each counting from 0 to its own total', () => {
    const lines: string[] = [];
    const bars = new ProgressBars({ write: (s: string) => lines.push(s), isTTY: false });
    const phase = (message: string, total: number) => {
      for (let i = 0; i <= total; i++) bars.update({ jobId: 'p', stage: 'project', message, done: i, total });
    };
    phase('t-SNE: finding neighbours', 300);
    phase('t-SNE: calibrating perplexity', 300);
    phase('t-SNE: iteration', 750);
    expect(lines).toHaveLength(33);
    expect(lines.at(-1)).toMatch(/100% {2}t-SNE: iteration\n$/);
  });
});
