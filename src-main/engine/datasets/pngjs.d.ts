// pngjs ships no types; this declares only the synchronous reader and writer we use.
declare module 'pngjs' {
  export const PNG: {
    sync: {
      read(buffer: Buffer): { width: number; height: number; data: Buffer };
      write(
        png: { width: number; height: number; data: Buffer },
        options?: { colorType?: number; inputColorType?: number; inputHasAlpha?: boolean },
      ): Buffer;
    };
  };
}
