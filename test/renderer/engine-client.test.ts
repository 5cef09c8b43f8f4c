import { describe, expect, it } from 'vitest';

import { EngineClient, EngineGoneError, type PageEvent } from '../../src-renderer/engine-client.js';
import { datasetInfo, fakeEngine, projectionEvent } from './fake-engine.js';

function client() {
  const engine = fakeEngine();
  const c = new EngineClient(engine.api);
  const heard: PageEvent[] = [];
  c.onEvent((e) => heard.push(e));
  return { engine, c, heard };
}

describe('the engine client', () => {
  it('resolves a job with the event that answers it, by its own jobId', async () => {
    const { engine, c, heard } = client();
    const a = c.loadDataset({ kind: 'mnist', limit: 100 });
    const b = c.loadDataset({ kind: 'mnist', limit: 200 });
    const [ca, cb] = engine.sent.filter((x) => x.type === 'loadDataset') as { jobId: string }[];
    expect(ca.jobId).not.toBe(cb.jobId);
    engine.emit({ type: 'datasetLoaded', jobId: cb.jobId, info: datasetInfo(200, { kind: 'mnist', limit: 200 }) });
    engine.emit({ type: 'datasetLoaded', jobId: ca.jobId, info: datasetInfo(100, { kind: 'mnist', limit: 100 }) });
    expect((await a).info.n).toBe(100);
    expect((await b).info.n).toBe(200);
    // The page hears them too: they build its record chain.
    expect(heard.map((e) => e.type)).toEqual(['datasetLoaded', 'datasetLoaded']);
    expect(c.running).toBe(false);
  });

  it('hands a projection’s frames to its caller and resolves on the final one', async () => {
    const { engine, c, heard } = client();
    const frames: boolean[] = [];
    const done = c.project({ method: 'tsne' }, (f) => frames.push(f.final));
    const { jobId } = (await engine.last('project')) as { jobId: string };
    engine.emit({
      type: 'progress',
      progress: { jobId, stage: 'project', message: 'iteration 10', done: 10, total: 500 },
    });
    engine.emit(projectionEvent(jobId, 10, { final: false }));
    expect(c.running).toBe(true);
    engine.emit(projectionEvent(jobId, 10));
    expect((await done).final).toBe(true);
    expect(frames).toEqual([false, true]);
    // Progress goes to the page; the frames went to the caller only.
    expect(heard.map((e) => e.type)).toEqual(['progress']);
  });

  it('rejects a request with the engine’s error naming it, which the page does not also hear', async () => {
    const { engine, c, heard } = client();
    const answer = c.search('cat', 20);
    const { requestId } = (await engine.last('search')) as { requestId: string };
    engine.emit({ type: 'error', requestId, message: 'search: query must not be empty' });
    await expect(answer).rejects.toThrow('search: query must not be empty');
    engine.emit({ type: 'error', message: 'something else went wrong' });
    expect(heard).toEqual([{ type: 'error', message: 'something else went wrong' }]);
  });

  it('cancels the running jobs only, and drops every pending answer when the engine restarts', async () => {
    const { engine, c, heard } = client();
    const job = c.train({ model: 'deep', epochs: 1 });
    const ask = c.getItem(3);
    const { jobId } = (await engine.last('train')) as { jobId: string };
    c.cancelJobs();
    expect(engine.sent.filter((x) => x.type === 'cancel')).toEqual([{ type: 'cancel', jobId }]);
    engine.emit({ type: 'engineRestarted', message: 'the engine was restarted' });
    await expect(job).rejects.toBeInstanceOf(EngineGoneError);
    await expect(ask).rejects.toThrow('the engine was restarted');
    expect(heard).toEqual([{ type: 'engineRestarted', message: 'the engine was restarted' }]);
    expect(c.running).toBe(false);
  });

  it('fails a session job whose upload failed before the engine saw it', async () => {
    const { c } = client();
    await expect(c.openSession(() => Promise.reject(new Error('upload aborted')))).rejects.toThrow('upload aborted');
    expect(c.running).toBe(false);
  });
});
