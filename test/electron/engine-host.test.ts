import { describe, expect, it, vi } from 'vitest';

import {
  EngineHost,
  type EngineProcess,
  errorFor,
  MAX_QUICK_RESTARTS,
  RESTART_WINDOW_MS,
} from '../../src-main/electron/engine-host.js';
import type { EngineEvent } from '../../src-main/protocol.js';

/** A fake utility process: records what it is sent, and dies when told to. */
class FakeEngine implements EngineProcess {
  readonly received: unknown[] = [];
  killed = false;
  refuse = false;
  private readonly handlers = new Map<string, (...a: never[]) => void>();
  postMessage(m: unknown): void {
    if (this.refuse) throw new Error('Channel closed');
    this.received.push(m);
  }
  on(event: string, l: (...a: never[]) => void): this {
    this.handlers.set(event, l);
    return this;
  }
  kill(): boolean {
    this.killed = true;
    this.exit(0);
    return true;
  }
  emit(m: unknown): void {
    (this.handlers.get('message') as (m: unknown) => void)(m);
  }
  fatal(type: string, location: string): void {
    (this.handlers.get('error') as (t: string, l: string) => void)(type, location);
  }
  exit(code: number): void {
    (this.handlers.get('exit') as (c: number) => void)(code);
  }
}

function setup(options: { spawnFails?: () => boolean } = {}) {
  const engines: FakeEngine[] = [];
  const events: EngineEvent[] = [];
  let clock = 1_000_000;
  const host = new EngineHost({
    spawn: () => {
      if (options.spawnFails?.()) throw new Error('fork failed');
      const e = new FakeEngine();
      engines.push(e);
      return e;
    },
    deliver: (e) => events.push(e),
    now: () => clock,
  });
  return { host, engines, events, tick: (ms: number) => (clock += ms) };
}

const train = { type: 'train', jobId: 't1', params: { model: 'deep', epochs: 1 } } as const;

describe('the engine process', () => {
  it('starts with the first command and relays its events', () => {
    const t = setup();
    expect(t.host.running).toBe(false);
    t.host.send({ type: 'hello' });
    expect(t.engines).toHaveLength(1);
    expect(t.engines[0].received).toEqual([{ type: 'hello' }]);
    t.engines[0].emit({ type: 'log', level: 'info', message: 'hi' });
    expect(t.events).toEqual([{ type: 'log', level: 'info', message: 'hi' }]);
  });

  it('starts a fresh engine when it dies, says what was lost, and sends later commands to it', () => {
    const t = setup();
    t.host.send({ type: 'hello' });
    t.engines[0].fatal('FatalError', 'v8::ArrayBuffer::New');
    t.engines[0].exit(133);
    expect(t.engines).toHaveLength(2);
    expect(t.host.running).toBe(true);
    expect(t.events).toEqual([
      {
        type: 'engineRestarted',
        message:
          'the engine stopped (FatalError in v8::ArrayBuffer::New, exit code 133); a new one was started — the loaded data and model were lost',
      },
    ]);
    // The new engine starts its backend before anything else.
    expect(t.engines[1].received).toEqual([{ type: 'hello' }]);
    t.host.send(train);
    expect(t.engines[1].received).toEqual([{ type: 'hello' }, train]);
    expect(t.engines[0].received).toEqual([{ type: 'hello' }]);
    // A late message of the dead engine is not mistaken for the new one's.
    t.engines[0].emit({ type: 'log', level: 'info', message: 'ghost' });
    expect(t.events).toHaveLength(1);
  });

  it('does not restart in a loop: past the limit within a minute, the next command starts one', () => {
    const t = setup();
    t.host.send({ type: 'hello' });
    for (let i = 0; i < MAX_QUICK_RESTARTS; i++) t.engines.at(-1)!.exit(1);
    expect(t.engines).toHaveLength(1 + MAX_QUICK_RESTARTS);
    t.engines.at(-1)!.exit(1);
    expect(t.engines).toHaveLength(1 + MAX_QUICK_RESTARTS);
    expect(t.host.running).toBe(false);
    expect(t.events.at(-1)).toEqual({
      type: 'engineRestarted',
      message: expect.stringMatching(/stopped again \(exit code 1\), more than 3 times within a minute; .*next action/),
    });
    t.host.send(train);
    expect(t.engines.at(-1)!.received).toEqual([{ type: 'hello' }, train]);
    // A minute later, a crash is restarted at once again.
    t.tick(RESTART_WINDOW_MS + 1);
    t.engines.at(-1)!.exit(1);
    expect(t.host.running).toBe(true);
  });

  it('never throws for a command while no engine can run: the sender gets an error for its job', () => {
    let fail = true;
    const t = setup({ spawnFails: () => fail });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(() => t.host.send(train)).not.toThrow();
    expect(t.events).toEqual([{ type: 'error', jobId: 't1', message: 'the engine could not be started; try again' }]);
    fail = false;
    t.host.send(train);
    expect(t.engines[0].received).toEqual([train]);
    // The process went away and Electron throws on postMessage: an error event again, no throw.
    t.engines[0].refuse = true;
    expect(() => t.host.send({ type: 'getItem', requestId: 'r1', index: 0 })).not.toThrow();
    expect(t.events.at(-1)).toEqual({
      type: 'error',
      requestId: 'r1',
      message: 'the engine did not take the command (Channel closed); try again',
    });
    warn.mockRestore();
  });

  it('says so when a crashed engine cannot be replaced, and tries again with the next command', () => {
    let fail = false;
    const t = setup({ spawnFails: () => fail });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    t.host.send({ type: 'hello' });
    fail = true;
    t.engines[0].exit(9);
    expect(t.events.at(-1)).toEqual({
      type: 'engineRestarted',
      message: expect.stringMatching(/stopped \(exit code 9\) and a new one could not be started; .*tries again/),
    });
    fail = false;
    t.host.send(train);
    expect(t.engines.at(-1)!.received).toEqual([{ type: 'hello' }, train]);
    warn.mockRestore();
  });

  it('stops for good on dispose, without a restart', () => {
    const t = setup();
    t.host.send({ type: 'hello' });
    t.host.dispose();
    expect(t.engines[0].killed).toBe(true);
    expect(t.engines).toHaveLength(1);
    expect(t.events).toEqual([]);
  });
});

describe('error events for a command', () => {
  it('carry its job or request id when it has a sane one', () => {
    expect(errorFor({ jobId: 'j' }, 'm')).toEqual({ type: 'error', jobId: 'j', message: 'm' });
    expect(errorFor({ requestId: 'r' }, 'm')).toEqual({ type: 'error', requestId: 'r', message: 'm' });
    expect(errorFor({ jobId: 'x'.repeat(201) }, 'm')).toEqual({ type: 'error', message: 'm' });
    expect(errorFor(null, 'm')).toEqual({ type: 'error', message: 'm' });
    expect(errorFor({ jobId: 7 }, 'm')).toEqual({ type: 'error', message: 'm' });
  });
});
