/**
 * Who may talk to the web-mode server. Three checks, each one function used
 * by every route that needs it:
 *
 * - the Host header names this server (127.0.0.1:PORT or localhost:PORT), so a
 *   page of another site whose DNS name was rebound to 127.0.0.1 is refused
 *   before anything else, token or not;
 * - the session token, from the URL the first time, then from the cookie;
 * - the origin, for the WebSocket and every request that changes something
 *   (the /session routes): the same rule for both.
 */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

/** Name of the same-site cookie that carries the token after the first page load. */
export const TOKEN_COOKIE = 'ae_token';

/** The Host values under which this server may be reached: it listens on 127.0.0.1 only. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** Why the request's Host header is not this server's, or null when it is. */
export function hostProblem(req: http.IncomingMessage, port: number): string | null {
  const host = (req.headers.host ?? '').toLowerCase();
  if (allowedHosts(port).includes(host)) return null;
  return `Misdirected request: this server answers only to http://127.0.0.1:${port} and http://localhost:${port}`;
}

/**
 * Why the request does not come from the server's own page, or null when it
 * does. One rule for the socket and the /session routes: an Origin header must
 * be present and equal to http://<the Host it was sent to>. Browsers send
 * Origin on every WebSocket handshake and every POST, same-origin ones
 * included, so the page always passes; a page of another origin never does.
 * Call after hostProblem, which has already pinned Host to this server.
 */
export function originProblem(req: http.IncomingMessage): string | null {
  const origin = req.headers.origin;
  if (origin === undefined) return 'Forbidden: the request has no Origin header';
  if (origin !== `http://${req.headers.host ?? ''}`) return 'Forbidden: request from another origin';
  return null;
}

function sameToken(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: http.IncomingMessage): string | undefined {
  const m = new RegExp(`(?:^|;\\s*)${TOKEN_COOKIE}=([^;]+)`).exec(req.headers.cookie ?? '');
  return m?.[1];
}

/** True when the request carries the session token, in the URL or in the cookie. */
export function hasToken(req: http.IncomingMessage, url: URL, token: string): boolean {
  return sameToken(url.searchParams.get('token'), token) || sameToken(cookieToken(req), token);
}
