/**
 * The sandboxed preload: gives the page `window.aeExplorer`, the verb-named
 * EngineApi of protocol.ts, and `window.aeExplorerShell` for menu actions the
 * page acts on. Never exposes ipcRenderer, channel names or IPC events: each
 * command is built and validated here, then checked again in the main process.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';

import { type Command, engineApiFrom, type EngineEvent, parseCommand } from '../protocol.js';
import { COMMAND_CHANNEL, EVENT_CHANNEL, SAVE_PNG_CHANNEL, SESSION_REQUEST_CHANNEL } from './ipc-channels.js';
import {
  isFolderPath,
  isShellAction,
  MENU_CHANNEL,
  OPEN_FOLDER_CHANNEL,
  type ShellAction,
  VIEW_CHANNEL,
  viewProblem,
} from './shell-actions.js';

function send(command: Command): void {
  const parsed = parseCommand(command);
  if (!parsed.ok) throw new Error(`bad command: ${parsed.message}`);
  // The parsed copy holds only the declared fields.
  ipcRenderer.send(COMMAND_CHANNEL, parsed.command);
}

function onEvent(listener: (event: EngineEvent) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
  // The IPC event object (with its sender) stays here; the page gets the payload only.
  const wrapped = (_e: unknown, event: EngineEvent) => listener(event);
  ipcRenderer.on(EVENT_CHANNEL, wrapped);
  return () => void ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
}

function onMenuAction(listener: (action: ShellAction) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('onMenuAction needs a function');
  const wrapped = (_e: unknown, action: unknown) => {
    if (isShellAction(action)) listener(action);
  };
  ipcRenderer.on(MENU_CHANNEL, wrapped);
  return () => void ipcRenderer.removeListener(MENU_CHANNEL, wrapped);
}

contextBridge.exposeInMainWorld('aeExplorer', engineApiFrom(send, onEvent));
/** The page tells the shell its view state, so File → Save Session can store it. */
function setViewState(view: Record<string, unknown>): void {
  const problem = viewProblem(view);
  if (problem) throw new TypeError(problem);
  ipcRenderer.send(VIEW_CHANNEL, view);
}

/**
 * Where a File the user dropped on the window is on disk ('' when it is not
 * a file on disk). Only the path of what the user dropped can be learnt, and
 * it is loaded through the same validated loadDataset command as a typed path.
 */
function pathForFile(file: File): string {
  // Not `instanceof File`: a File from the page may not be an instance of this isolated world's File class;
  // webUtils itself refuses anything that is not a real File.
  if (typeof file !== 'object' || file === null || typeof (file as { name?: unknown }).name !== 'string')
    throw new TypeError('pathForFile needs a dropped File');
  return webUtils.getPathForFile(file);
}

/** Folders picked in the menus, for the page to load with its options. */
function onOpenFolder(listener: (path: string) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('onOpenFolder needs a function');
  const wrapped = (_e: unknown, folder: unknown) => {
    if (isFolderPath(folder)) listener(folder);
  };
  ipcRenderer.on(OPEN_FOLDER_CHANNEL, wrapped);
  return () => void ipcRenderer.removeListener(OPEN_FOLDER_CHANNEL, wrapped);
}

/** The page's Save/Open session buttons: the main process shows the native dialogs. */
const saveSession = (): void => ipcRenderer.send(SESSION_REQUEST_CHANNEL, 'save-session');
const openSession = (): void => ipcRenderer.send(SESSION_REQUEST_CHANNEL, 'open-session');

/** Hands an exported PNG to the main process, which asks where to save it; resolves with the path or null. */
function savePng(bytes: Uint8Array, suggestedName: string): Promise<string | null> {
  // Not `instanceof`: the page's Uint8Array class may not be this isolated world's.
  if (Object.prototype.toString.call(bytes) !== '[object Uint8Array]')
    throw new TypeError('savePng needs the PNG as a Uint8Array');
  if (typeof suggestedName !== 'string') throw new TypeError('savePng needs a file name');
  return ipcRenderer.invoke(SAVE_PNG_CHANNEL, bytes, suggestedName) as Promise<string | null>;
}

contextBridge.exposeInMainWorld('aeExplorerShell', {
  onMenuAction,
  setViewState,
  pathForFile,
  onOpenFolder,
  saveSession,
  openSession,
  savePng,
});
