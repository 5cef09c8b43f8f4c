/**
 * THE contract between the engine process and every front end (Electron
 * renderer via preload, web renderer via WebSocket, CLI in-process).
 *
 * Commands go to the engine, events come back. Every long job carries a
 * `jobId` chosen by the sender; progress, results and errors echo it so a
 * front end can tell jobs apart and cancel one.
 *
 * - protocol/commands.ts: one zod schema per command; the command types, the
 *   validator `parseCommand` and the product's limits come from it.
 * - protocol/events.ts: the events.
 * - protocol/api.ts: the verb API (`api.train({ jobId, params })`), derived
 *   from the schemas.
 * - protocol/codec.ts: base64 of the typed arrays that events carry.
 *
 * This file and its folder stay free of Node and DOM imports: both sides
 * compile them.
 */
export * from './protocol/api.js';
export * from './protocol/codec.js';
export * from './protocol/commands.js';
export * from './protocol/events.js';
