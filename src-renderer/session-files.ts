/**
 * Files the browser hands over or receives in web mode: session downloads
 * and uploads (through the web server's /session routes, with the page's
 * token) and downloads of what the page made (PNG, CSV).
 */
import type { SessionView } from '../src-main/protocol.js';

/** The page URL's token, for the server's check (the same-site cookie carries it too). */
function tokenParam(): string {
  const token = new URLSearchParams(location.search).get('token');
  return token ? `token=${encodeURIComponent(token)}&` : '';
}

/** Makes the browser save a blob under `name`. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Has the server's engine save the session with `view`, and downloads it as `name`; returns its size in bytes. */
export async function downloadSession(view: SessionView, name: string): Promise<number> {
  const res = await fetch(`/session/save?${tokenParam()}name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(view),
  });
  if (!res.ok) throw new Error(`could not save the session: ${await res.text()}`);
  const blob = await res.blob();
  downloadBlob(blob, name);
  return blob.size;
}

/**
 * Uploads a session file for the engine to open as job `jobId` (its events
 * then restore the map). XMLHttpRequest rather than fetch, because only it
 * reports upload progress; `signal` aborts the upload.
 */
export function uploadSession(
  file: File,
  jobId: string,
  onProgress: (sent: number, total: number) => void,
  signal: AbortSignal,
): Promise<void> {
  const q = `${tokenParam()}jobId=${encodeURIComponent(jobId)}&name=${encodeURIComponent(file.name)}`;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/session/open?${q}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve()
        : reject(new Error(`could not open ${file.name}: ${xhr.responseText || `HTTP ${xhr.status}`}`));
    xhr.onerror = () => reject(new Error(`could not upload ${file.name}: the connection to the server failed`));
    xhr.onabort = () => reject(new Error(`opening ${file.name} cancelled during the upload`));
    if (signal.aborted) return xhr.onabort(new ProgressEvent('abort'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
