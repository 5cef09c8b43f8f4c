import { type Command, type EngineApi, engineApiFrom, type EngineEvent } from '../src-main/protocol.js';
import type { ShellApi } from '../src-main/shell-contract.js';

declare global {
  interface Window {
    /** Present in the desktop app: the preload's verb-named bridge to the engine. */
    aeExplorer?: EngineApi;
    /** Present in the desktop app: menu actions only the page can carry out (it owns the camera), and shell dialogs. */
    aeExplorerShell?: ShellApi;
  }
}

/** The desktop shell's verbs for the page, declared once in the shell contract (the preload implements them). */
export type { ShellAction, ShellApi } from '../src-main/shell-contract.js';

/**
 * Connects to the engine: through the Electron preload where it exists,
 * otherwise over the web server's WebSocket. Commands sent before the socket
 * opens are queued; the renderer never learns which transport it is on.
 */
export function connectEngine(): EngineApi {
  if (window.aeExplorer) return window.aeExplorer;
  const listeners = new Set<(e: EngineEvent) => void>();
  const queue: string[] = [];
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  ws.onopen = () => {
    for (const m of queue.splice(0)) ws.send(m);
  };
  ws.onmessage = (m) => {
    const event = JSON.parse(String(m.data)) as EngineEvent;
    for (const l of listeners) l(event);
  };
  ws.onclose = () => {
    const event: EngineEvent = {
      type: 'error',
      message: 'lost the connection to the AE Explorer server; restart it and reload',
    };
    for (const l of listeners) l(event);
  };
  const send = (c: Command) => {
    const text = JSON.stringify(c);
    if (ws.readyState === WebSocket.OPEN) ws.send(text);
    else queue.push(text);
  };
  return engineApiFrom(send, (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  });
}
