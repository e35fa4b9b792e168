/**
 * Whole numbers as people type them. Order forms accept digit grouping ("1,000", "1_000", "1 000") and stop
 * at 2^53, where a number would no longer be exact; the account forms take plain digits and keep them as text,
 * so a share count of any size reaches the server unchanged.
 */

/** "1,000" -> 1000; undefined for anything that is not a whole number a double holds exactly. */
export function wholeNumber(s: string): number | undefined {
  const t = s.trim().replace(/[_ ,]/g, '');
  return /^\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : undefined;
}

/** As wholeNumber, above zero. */
export function wholePositive(s: string): number | undefined {
  const n = wholeNumber(s);
  return n !== undefined && n > 0 ? n : undefined;
}

/** " 250 " -> "250": plain digits above zero, trimmed, still text. */
export function positiveDigits(s: string): string | undefined {
  const t = s.trim();
  return /^\d+$/.test(t) && BigInt(t) > 0n ? t : undefined;
}
