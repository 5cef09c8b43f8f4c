/**
 * The sandboxed preload: gives the page `window.aeExplorer`, the verb-named
 * EngineApi of protocol.ts, and `window.aeExplorerShell` for menu actions the
 * page acts on. Never exposes ipcRenderer, channel names or IPC events: each
 * command is built and validated here, then checked again in the main process.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';

import { type Command, engineApiFrom, type EngineEvent, parseCommand } from '../protocol.js';
import {
  CHANNELS,
  isFolderPath,
  isShellAction,
  type SessionRequest,
  type ShellAction,
  type ShellApi,
  viewProblem,
} from '../shell-contract.js';

function send(command: Command): void {
  const parsed = parseCommand(command);
  if (!parsed.ok) throw new Error(`bad command: ${parsed.message}`);
  // The parsed copy holds only the declared fields.
  ipcRenderer.send(CHANNELS.command, parsed.command);
}

function onEvent(listener: (event: EngineEvent) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
  // The IPC event object (with its sender) stays here; the page gets the payload only.
  const wrapped = (_e: unknown, event: EngineEvent) => listener(event);
  ipcRenderer.on(CHANNELS.event, wrapped);
  return () => void ipcRenderer.removeListener(CHANNELS.event, wrapped);
}

function onMenuAction(listener: (action: ShellAction) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('onMenuAction needs a function');
  const wrapped = (_e: unknown, action: unknown) => {
    if (isShellAction(action)) listener(action);
  };
  ipcRenderer.on(CHANNELS.menu, wrapped);
  return () => void ipcRenderer.removeListener(CHANNELS.menu, wrapped);
}

contextBridge.exposeInMainWorld('aeExplorer', engineApiFrom(send, onEvent));
/** The page tells the shell its view state, so File → Save Session can store it. */
function setViewState(view: Record<string, unknown>): void {
  const problem = viewProblem(view);
  if (problem) throw new TypeError(problem);
  ipcRenderer.send(CHANNELS.view, view);
}

/**
 * Where a File the user dropped on the window is on disk ('' when it is not
 * a file on disk). Only the path of what the user dropped can be learnt; main
 * hears of it too, so the page may then load it (or the folder that holds a
 * dropped dataset file) through the same validated loadDataset command.
 */
function pathForFile(file: File): string {
  // Not `instanceof File`: a File from the page may not be an instance of this isolated world's File class;
  // webUtils itself refuses anything that is not a real File.
  if (typeof file !== 'object' || file === null || typeof (file as { name?: unknown }).name !== 'string')
    throw new TypeError('pathForFile needs a dropped File');
  const where = webUtils.getPathForFile(file);
  // Sent before the page can send its loadDataset: the same IPC pipe keeps the order, so main has the grant first.
  if (isFolderPath(where)) ipcRenderer.send(CHANNELS.dropped, where);
  return where;
}

/** Folders picked in the menus, for the page to load with its options. */
function onOpenFolder(listener: (path: string) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('onOpenFolder needs a function');
  const wrapped = (_e: unknown, folder: unknown) => {
    if (isFolderPath(folder)) listener(folder);
  };
  ipcRenderer.on(CHANNELS.openFolder, wrapped);
  return () => void ipcRenderer.removeListener(CHANNELS.openFolder, wrapped);
}

/** The page's Save/Open session buttons: the main process shows the native dialogs. */
const request = (what: SessionRequest): void => ipcRenderer.send(CHANNELS.sessionRequest, what);
const saveSession = (): void => request('save-session');
const openSession = (): void => request('open-session');

/** Hands an exported PNG to the main process, which asks where to save it; resolves with the path or null. */
function savePng(bytes: Uint8Array, suggestedName: string): Promise<string | null> {
  // Not `instanceof`: the page's Uint8Array class may not be this isolated world's.
  if (Object.prototype.toString.call(bytes) !== '[object Uint8Array]')
    throw new TypeError('savePng needs the PNG as a Uint8Array');
  if (typeof suggestedName !== 'string') throw new TypeError('savePng needs a file name');
  return ipcRenderer.invoke(CHANNELS.savePng, bytes, suggestedName) as Promise<string | null>;
}

// Typed against the contract the renderer declares `window.aeExplorerShell` with.
const shell: ShellApi = { onMenuAction, setViewState, pathForFile, onOpenFolder, saveSession, openSession, savePng };
contextBridge.exposeInMainWorld('aeExplorerShell', shell);
