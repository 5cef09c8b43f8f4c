/**
 * "12 s left", "2 min 5 s left": the whole seconds rounded up first, so 119.4 s reads "2 min 0 s", never
 * "1 min 60 s". Empty when there is no estimate.
 */
export function etaText(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '';
  const total = Math.ceil(seconds);
  if (total < 60) return `${total} s left`;
  return `${Math.floor(total / 60)} min ${total % 60} s left`;
}
