/** What t-SNE's helper thread shares with the caller (see parallel.ts and attraction-worker.ts). */

/** ctl[1] value by which the helper reports that it failed. */
export const FAILED = -2;

/** ctl[4] value once the helper's module has loaded and it waits for rounds. */
export const LOADED = 1;

/** Int32 slots of `ctl`: round to do, round done, mode, FFT grid round, loaded. */
export const CTL_SLOTS = 5;

/** The helper's workerData: shared buffers for P, the embedding and the results, and a port for FFT grids. */
export interface HelperData {
  n: number;
  ctl: SharedArrayBuffer;
  param: SharedArrayBuffer;
  rowPtr: SharedArrayBuffer;
  colInd: SharedArrayBuffer;
  values: SharedArrayBuffer;
  y: SharedArrayBuffer;
  out: SharedArrayBuffer;
  rep: SharedArrayBuffer;
  port: unknown;
}
