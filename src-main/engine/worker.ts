/**
 * The engine process. Started as an Electron utilityProcess (messages on
 * process.parentPort) or as a forked Node child in web mode (process.send),
 * so TensorFlow's native binding loads once, away from any UI thread.
 */
import type { EngineEvent } from '../protocol.js';
import { Engine } from './engine.js';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(event: EngineEvent): void {
  if (parentPort) parentPort.postMessage(event);
  else if (process.send) process.send(event);
  else process.stdout.write(JSON.stringify(event) + '\n');
}

const engine = new Engine(send);
// Commands run concurrently so that a cancel reaches a running job.
const onCommand = (raw: unknown) => void engine.handle(raw);

if (parentPort) parentPort.on('message', (e) => onCommand(e.data));
else if (process.send) {
  process.on('message', onCommand);
  process.on('disconnect', () => process.exit(0));
} else {
  console.error('engine worker: start me from the app (no IPC channel)');
  process.exit(2);
}

process.on('uncaughtException', (e) => send({ type: 'error', message: `engine: ${e.message}` }));
process.on('unhandledRejection', (e) => send({ type: 'error', message: `engine: ${String(e)}` }));
