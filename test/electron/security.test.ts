import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import {
  APP_SCHEME_PRIVILEGES,
  APP_URL,
  appProtocolHandler,
  CSP,
  denyPermissions,
  EXTERNAL_LINKS,
  type GuardedContents,
  guardWebContents,
  isAppUrl,
  isOwnLink,
  mainWindowOptions,
  resolveAppFile,
} from '../../src-main/electron/security.js';

describe('main window options', () => {
  const o = mainWindowOptions('/app/dist/main/preload.cjs', { x: 10, y: 20, width: 1000, height: 700 });

  it('isolates and sandboxes the renderer without Node', () => {
    expect(o.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      preload: '/app/dist/main/preload.cjs',
    });
  });

  it('uses the remembered bounds and stays hidden until painted', () => {
    expect(o).toMatchObject({ x: 10, y: 20, width: 1000, height: 700, show: false });
  });

  it('loads the page from the app scheme, which does not bypass the CSP', () => {
    expect(APP_URL).toBe('app://ae-explorer/index.html');
    expect(APP_SCHEME_PRIVILEGES.privileges.bypassCSP).toBe(false);
    expect(APP_SCHEME_PRIVILEGES.privileges.secure).toBe(true);
  });
});

describe('content security policy', () => {
  const directives = new Map(
    CSP.split(';').map((d) => {
      const [k, ...v] = d.trim().split(/\s+/);
      return [k, v];
    }),
  );

  it('denies by default and allows scripts only from the app itself', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(CSP).not.toMatch(/unsafe-eval/);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('allows no remote host anywhere', () => {
    expect(CSP).not.toMatch(/https?:|ws:|wss:|\*/);
  });
});

describe('app protocol', () => {
  let root = '';
  beforeAll(async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'aex-proto-'));
    root = path.join(base, 'renderer');
    await mkdir(path.join(root, 'assets'), { recursive: true });
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>AE</title>');
    await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(base, 'secret.txt'), 'secret');
    await symlink(path.join(base, 'secret.txt'), path.join(root, 'link.txt'));
  });
  afterAll(() => root && rm(path.dirname(root), { recursive: true, force: true }));

  it('maps app URLs to files inside the renderer folder only', () => {
    expect(resolveAppFile('/r', 'app://ae-explorer/')).toBe(path.resolve('/r/index.html'));
    expect(resolveAppFile('/r', 'app://ae-explorer/assets/a.js?x=1')).toBe(path.resolve('/r/assets/a.js'));
    expect(resolveAppFile('/r', 'app://ae-explorer/../secret.txt')).toBe(path.resolve('/r/secret.txt'));
    // The URL parser folds dot segments (even encoded ones) at the root: still inside.
    expect(resolveAppFile('/r', 'app://ae-explorer/%2e%2e/%2e%2e/etc/passwd')).toBe(path.resolve('/r/etc/passwd'));
    expect(resolveAppFile('/r', 'app://ae-explorer/..%2fsecret.txt')).toBeNull();
    expect(resolveAppFile('/r', 'app://other/index.html')).toBeNull();
    expect(resolveAppFile('/r', 'file:///etc/passwd')).toBeNull();
    expect(resolveAppFile('/r', 'app://ae-explorer/a%00b')).toBeNull();
  });

  it('serves packaged files with the CSP header, and nothing outside them', async () => {
    const handle = appProtocolHandler(root);
    const ok = await handle(new Request('app://ae-explorer/index.html'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CSP);
    expect(ok.headers.get('content-type')).toMatch(/text\/html/);
    expect(await ok.text()).toContain('<title>AE</title>');
    expect((await handle(new Request('app://ae-explorer/assets/app.js'))).headers.get('content-type')).toMatch(
      /javascript/,
    );
    for (const url of [
      'app://ae-explorer/missing.js',
      'app://ae-explorer/link.txt',
      'app://ae-explorer/%2e%2e/secret.txt',
      'app://evil/index.html',
    ])
      expect((await handle(new Request(url))).status, url).toBe(404);
    expect((await handle(new Request('app://ae-explorer/index.html', { method: 'POST', body: 'x' }))).status).toBe(404);
  });
});

describe('web contents guards', () => {
  function fakeContents() {
    const handlers = new Map<string, (event: { preventDefault(): void }, url?: string) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    const contents = {
      on: (name: string, h: (event: { preventDefault(): void }, url?: string) => void) => void handlers.set(name, h),
      setWindowOpenHandler: (h: (d: { url: string }) => { action: string }) => void (openHandler = h),
    } as unknown as GuardedContents;
    const fire = (name: string, url?: string) => {
      const preventDefault = vi.fn();
      handlers.get(name)!({ preventDefault }, url);
      return preventDefault.mock.calls.length > 0;
    };
    return { contents, fire, open: (url: string) => openHandler!({ url }) };
  }

  it('blocks navigation away from the app, redirects, webviews and new windows', () => {
    const external = vi.fn();
    const warnings: string[] = [];
    const f = fakeContents();
    guardWebContents(f.contents, { openExternal: external, warn: (m) => warnings.push(m) });
    expect(f.fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(f.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(f.fire('will-navigate', 'app://ae-explorer/index.html')).toBe(false);
    expect(f.fire('will-redirect', 'http://evil.test/')).toBe(true);
    expect(f.fire('will-attach-webview')).toBe(true);
    expect(f.open('https://example.com/docs')).toEqual({ action: 'deny' });
    expect(f.open('app://ae-explorer/index.html')).toEqual({ action: 'deny' });
    // None of these is one of our links: nothing reaches the system browser, and each refusal is logged.
    expect(external).not.toHaveBeenCalled();
    expect(warnings).toEqual([
      expect.stringMatching(/refused to open https:\/\/example\.com\/ \(navigation\)/),
      expect.stringMatching(/refused to open file:\/\/\/etc\/passwd/),
      expect.stringMatching(/refused a redirect to http:\/\/evil\.test\//),
      expect.stringMatching(/refused to open https:\/\/example\.com\/docs \(new window\)/),
      expect.stringMatching(/refused to open app:\/\/ae-explorer\/index\.html \(new window\)/),
    ]);
  });

  it('opens only our own links in the system browser, matched exactly', () => {
    const ours = 'https://ae-explorer.example/docs/security';
    const external = vi.fn();
    const warnings: string[] = [];
    const f = fakeContents();
    guardWebContents(f.contents, { openExternal: external, allowedLinks: [ours], warn: (m) => warnings.push(m) });
    f.open(ours);
    f.fire('will-navigate', ours);
    for (const other of [
      'https://ae-explorer.example/docs/security/../../evil',
      'https://ae-explorer.example/docs/security?next=https://evil.test',
      'https://ae-explorer.example.evil.test/docs/security',
      'https://user:pw@ae-explorer.example/docs/security',
      'http://ae-explorer.example/docs/security',
      'javascript:alert(1)',
      'not a url',
    ])
      f.open(other);
    expect(external.mock.calls).toEqual([[ours], [ours]]);
    expect(warnings).toHaveLength(7);
    expect(isOwnLink(ours, [ours])).toBe(true);
    expect(isOwnLink('HTTPS://AE-EXPLORER.EXAMPLE/docs/security', [ours])).toBe(true);
  });

  it('ships with no external link allowed, since the UI has none', () => {
    expect(EXTERNAL_LINKS).toEqual([]);
    expect(Object.isFrozen(EXTERNAL_LINKS)).toBe(true);
    expect(isOwnLink('https://example.com/')).toBe(false);
  });

  it('knows the app origin', () => {
    expect(isAppUrl('app://ae-explorer/x')).toBe(true);
    expect(isAppUrl('app://ae-explorer.evil/x')).toBe(false);
    expect(isAppUrl('http://ae-explorer/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('refuses every permission request', () => {
    let request: ((c: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
    let check: (() => boolean) | null = null;
    denyPermissions({
      setPermissionRequestHandler: (h: typeof request) => void (request = h),
      setPermissionCheckHandler: (h: typeof check) => void (check = h),
    } as never);
    const cb = vi.fn();
    request!(null, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
    expect(check!()).toBe(false);
  });
});
