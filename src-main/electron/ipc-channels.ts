/**
 * IPC channel names, in their own file so the sandboxed preload can import
 * them without pulling in main-process code.
 */

/** Renderer → main: one protocol command. */
export const COMMAND_CHANNEL = 'ae-explorer:command';
/** Main → renderer: one engine event. */
export const EVENT_CHANNEL = 'ae-explorer:event';
/** Renderer → main (invoke): PNG bytes and a suggested name; main asks where and writes them. */
export const SAVE_PNG_CHANNEL = 'ae-explorer:save-png';
/** Renderer → main: 'save-session' or 'open-session', answered with the native dialogs. */
export const SESSION_REQUEST_CHANNEL = 'ae-explorer:session-request';
