import { describe, expect, it, vi } from 'vitest';

import { LaunchFiles, sessionFromArgv } from '../../src-main/electron/launch-files.js';

describe('session files from the OS', () => {
  it('finds the .aex argument, skipping the executable and flags', () => {
    expect(sessionFromArgv(['/opt/AE Explorer/ae-explorer', '/home/u/maps/digits.aex'])).toBe(
      '/home/u/maps/digits.aex',
    );
    expect(sessionFromArgv(['electron', '/work/app', '--no-sandbox'])).toBeNull();
    expect(sessionFromArgv(['C:\\AE\\AE Explorer.exe', '--flag=x.aex', 'D:\\maps\\A.AEX'])).toBe('D:\\maps\\A.AEX');
    expect(sessionFromArgv(['/session.aex'])).toBeNull();
  });

  it('opens a file only after the first dataset has loaded, then at once', () => {
    const open = vi.fn();
    const files = new LaunchFiles(open);
    files.add('/a.aex');
    files.onEvent({ type: 'progress', progress: { jobId: 'l', stage: 'load', message: '', done: 1, total: 2 } });
    expect(open).not.toHaveBeenCalled();
    files.onEvent({ type: 'datasetLoaded', jobId: 'l', info: {} as never });
    expect(open).toHaveBeenCalledWith('/a.aex');
    files.onEvent({ type: 'datasetLoaded', jobId: 'o', info: {} as never });
    expect(open).toHaveBeenCalledTimes(1);
    files.add('/b.aex');
    expect(open).toHaveBeenLastCalledWith('/b.aex');
  });

  it('still opens the file when the first load fails', () => {
    const open = vi.fn();
    const files = new LaunchFiles(open);
    files.add('/a.aex');
    files.onEvent({ type: 'error', jobId: 'l', message: 'no such folder' });
    expect(open).toHaveBeenCalledWith('/a.aex');
  });
});
