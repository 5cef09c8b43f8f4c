/**
 * IPC channel names, in their own file so the sandboxed preload can import
 * them without pulling in main-process code.
 */

/** Renderer → main: one protocol command. */
export const COMMAND_CHANNEL = 'ae-explorer:command';
/** Main → renderer: one engine event. */
export const EVENT_CHANNEL = 'ae-explorer:event';
