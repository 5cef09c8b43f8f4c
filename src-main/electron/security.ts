/**
 * The desktop app's security settings, as Electron's security checklist asks:
 * isolated and sandboxed renderer without Node, a strict Content-Security-
 * Policy, the UI served from packaged files over a custom `app://` protocol
 * (never remote content), navigation, new windows, webviews and permission
 * requests refused. Plain data and functions over injected Electron objects,
 * so tests check them without the Electron binary.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

import type { BrowserWindowConstructorOptions, Protocol, Session, WebContents } from 'electron';

import { MIME_TYPES } from '../mime.js';

/** The custom scheme the renderer is served from. */
export const APP_SCHEME = 'app';
/** The renderer's origin; the only one allowed to talk to the engine. */
export const APP_ORIGIN = `${APP_SCHEME}://ae-explorer`;
/** The page the window loads. */
export const APP_URL = `${APP_ORIGIN}/index.html`;

/**
 * Content-Security-Policy of every app page. Scripts only from the app
 * itself (no inline, no eval); styles allow inline because Svelte writes
 * style attributes; images also from data:/blob: (the hover previews); no
 * network at all: the engine is reached through the preload, not fetch.
 */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Privileges of the app scheme: standard and secure, like https, but no CSP bypass. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: {
    standard: true,
    secure: true,
    supportFetchAPI: true,
    bypassCSP: false,
    corsEnabled: false,
    stream: false,
  },
} as const;

/** Window position and size, as persisted between runs. */
export interface Bounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

/** Options of the main window: every web preference the checklist names is set explicitly. */
export function mainWindowOptions(preload: string, bounds: Bounds, icon?: string): BrowserWindowConstructorOptions {
  return {
    ...bounds,
    minWidth: 720,
    minHeight: 480,
    title: 'AE Explorer',
    show: false,
    backgroundColor: '#111418',
    ...(icon ? { icon } : {}),
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  };
}

/** True for a URL inside the app's own origin (app://ae-explorer/...). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === 'ae-explorer';
  } catch {
    return false;
  }
}

/**
 * Maps an app:// URL to a file under `root`, or null when the URL is not of
 * the app's origin or escapes the folder (../, encoded separators).
 */
export function resolveAppFile(root: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  rel = rel.replace(/^\/+/, '') || 'index.html';
  const file = path.resolve(root, rel);
  return file.startsWith(path.resolve(root) + path.sep) ? file : null;
}

/** The app protocol's handler: packaged files only, each with the CSP header. */
export function appProtocolHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const file = request.method === 'GET' ? resolveAppFile(root, request.url) : null;
    // realpath: a symlink inside the folder must not lead outside it.
    const real = file ? await realpath(file).catch(() => null) : null;
    const rootReal = await realpath(root).catch(() => root);
    if (!real || !real.startsWith(rootReal + path.sep)) return new Response('Not found', { status: 404 });
    const body = await readFile(real);
    return new Response(body, {
      status: 200,
      headers: {
        'content-type': MIME_TYPES[path.extname(real)] ?? 'application/octet-stream',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
    });
  };
}

/** Serves `root` on the app scheme in `protocol` (call once the app is ready). */
export function registerAppProtocol(protocol: Pick<Protocol, 'handle'>, root: string): void {
  protocol.handle(APP_SCHEME, appProtocolHandler(root));
}

/** The subset of WebContents the guards need (a fake in tests). */
export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * The only pages the app may open in the system browser: our own links,
 * each written out in full. The UI has none today, so every link is refused;
 * a link added to the UI is added here too, or it stays refused and logged.
 * Exact matches only: a prefix would let `https://our.site.evil/` or a
 * redirector path through.
 */
export const EXTERNAL_LINKS: readonly string[] = Object.freeze([]);

/** Options of the web contents guards. */
export interface GuardOptions {
  /** Opens a URL in the system browser (Electron's shell.openExternal). */
  openExternal?: (url: string) => void;
  /** The links openExternal may receive (default EXTERNAL_LINKS). */
  allowedLinks?: readonly string[];
  /** Where refused navigations and links are reported (default: console.warn). */
  warn?: (message: string) => void;
}

/** True when `url` is exactly one of `allowed` (compared as parsed https URLs). */
export function isOwnLink(url: string, allowed: readonly string[] = EXTERNAL_LINKS): boolean {
  let href: string;
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' || u.username || u.password) return false;
    href = u.href;
  } catch {
    return false;
  }
  return allowed.some((a) => new URL(a).href === href);
}

/**
 * Blocks everything a page could use to leave the app: navigation (links,
 * redirects, drag-and-drop of URLs), new windows and <webview>. Our own
 * links (EXTERNAL_LINKS) go to the system browser; every other URL is
 * refused and logged.
 */
export function guardWebContents(contents: GuardedContents, options: GuardOptions = {}): void {
  const warn = options.warn ?? ((m: string) => console.warn(`[security] ${m}`));
  const allowed = options.allowedLinks ?? EXTERNAL_LINKS;
  const external = (url: string, how: string) => {
    if (options.openExternal && isOwnLink(url, allowed)) options.openExternal(url);
    else warn(`refused to open ${url.slice(0, 300)} (${how}): not one of the app's own links`);
  };
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      external(url, 'navigation');
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      warn(`refused a redirect to ${url.slice(0, 300)}`);
    }
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    external(url, 'new window');
    return { action: 'deny' };
  });
}

/** Refuses every permission (camera, notifications, geolocation, ...): the app needs none. */
export function denyPermissions(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>,
): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
