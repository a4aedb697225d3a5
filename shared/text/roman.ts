// Roman numerals for section headings ("## IV. Title"), written by the pipeline and read by the
// validators: strict parsing, so "IIII" or "VX" are rejected.
const VALUES: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };

export function toRoman(value: number): string {
  if (!Number.isInteger(value) || value < 1 || value > 3999) throw new RangeError(`cannot write ${value} as a Roman numeral`);
  const table: [number, string][] = [
    [1000, "M"], [900, "CM"], [500, "D"], [400, "CD"], [100, "C"], [90, "XC"],
    [50, "L"], [40, "XL"], [10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"],
  ];
  let out = "";
  let rest = value;
  for (const [n, s] of table) {
    while (rest >= n) {
      out += s;
      rest -= n;
    }
  }
  return out;
}

/** The value of a canonical Roman numeral, or undefined when the string is not one. */
export function romanValue(numeral: string): number | undefined {
  let total = 0;
  for (let i = 0; i < numeral.length; i++) {
    const v = VALUES[numeral[i]!];
    if (v === undefined) return undefined;
    const next = VALUES[numeral[i + 1] ?? ""] ?? 0;
    total += v < next ? -v : v;
  }
  // Only the canonical spelling counts, so the round trip must match.
  return total > 0 && total < 4000 && toRoman(total) === numeral ? total : undefined;
}
