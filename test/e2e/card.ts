import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Waits until the hover card shows point `index` (the card's index text), failing after 10 s. */
export async function expectCardFor(page: Page, index: number): Promise<void> {
  await expect
    .poll(
      () =>
        page
          .locator('[data-testid=card-index]')
          .innerText()
          .catch(() => ''),
      { timeout: 10_000 },
    )
    .toBe(String(index));
}
