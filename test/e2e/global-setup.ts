/**
 * Runs once before the end-to-end tests (vitest globalSetup of the e2e
 * project only): when no browser can be found, the run stops here with the
 * finder's one line instead of a stack trace in every test.
 */
import { findBrowser } from './find-browser.js';
import { THIS_MACHINE } from './harness.js';

export default function setup(): void {
  const r = findBrowser(THIS_MACHINE);
  if ('problem' in r) {
    console.error(r.problem);
    process.exit(1);
  }
  console.log(`[e2e] browser: ${r.found.executable} (${r.found.source})`);
}
