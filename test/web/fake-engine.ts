/**
 * Test helpers for the web server: a stand-in engine worker (the transport
 * needs no TensorFlow) and a socket that collects what the server sends.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import WebSocket from 'ws';

/**
 * Writes a stand-in engine into `dir` and returns its path. It answers every
 * command with a log event whose message is the command as it arrived (so a
 * test sees exactly what reached the engine), and a saveSession with a
 * sessionSaved for a file it never wrote (an unexpected failure for the server).
 */
export async function writeFakeEngine(dir: string): Promise<string> {
  const file = path.join(dir, 'fake-engine.mjs');
  await writeFile(
    file,
    `process.on('message', (m) => {
  process.send({ type: 'log', level: 'info', message: JSON.stringify(m) });
  if (m && m.type === 'saveSession') process.send({ type: 'sessionSaved', requestId: m.requestId, path: m.path, bytes: 1 });
});
process.on('disconnect', () => process.exit(0));
`,
  );
  return file;
}

/** A connected socket and everything the server sent on it, parsed. */
export interface Page {
  ws: WebSocket;
  events: Record<string, unknown>[];
  /** Waits for an event after index `from` that matches; fails with what did arrive. */
  next(
    pred: (e: Record<string, unknown>) => boolean,
    from?: number,
    timeout?: number,
  ): Promise<Record<string, unknown>>;
  /** The messages the stand-in engine logged receiving after index `from`. */
  received(from?: number): unknown[];
  close(): void;
}

/** Opens the page's socket with the token and the server's origin. */
export function openPage(port: number, token: string): Promise<Page> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { origin: `http://127.0.0.1:${port}` });
    const events: Record<string, unknown>[] = [];
    ws.on('message', (m) => events.push(JSON.parse(String(m)) as Record<string, unknown>));
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        events,
        next(pred, from = 0, timeout = 10_000) {
          // Checked on every message as it arrives (after the push above), not by polling: the fuzz test waits thousands of times.
          return new Promise((resolveNext, rejectNext) => {
            const check = () => {
              const found = events.slice(from).find(pred);
              if (!found) return false;
              clearTimeout(timer);
              ws.off('message', onMessage);
              resolveNext(found);
              return true;
            };
            const onMessage = () => void check();
            const timer = setTimeout(() => {
              ws.off('message', onMessage);
              rejectNext(
                new Error(
                  `no such event within ${timeout} ms; got ${JSON.stringify(events.slice(from)).slice(0, 2000)}`,
                ),
              );
            }, timeout);
            ws.on('message', onMessage);
            check();
          });
        },
        received(from = 0) {
          return events
            .slice(from)
            .filter((e) => e.type === 'log')
            .map((e) => JSON.parse(e.message as string) as unknown);
        },
        close: () => ws.close(),
      }),
    );
  });
}
