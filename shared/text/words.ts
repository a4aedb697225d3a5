// Word counting used everywhere a length is reported, so the edge, the node and the linter agree.
export function countWords(text: string): number {
  const matches = text.match(/[\p{L}\p{N}][\p{L}\p{N}'’.-]*/gu);
  return matches ? matches.length : 0;
}

/** The house paragraph indent: four NO-BREAK SPACEs (see docs/house-style.md). */
export const paragraphIndent = "\u00a0".repeat(4);

const romans: [number, string][] = [
  [1000, "M"], [900, "CM"], [500, "D"], [400, "CD"], [100, "C"], [90, "XC"],
  [50, "L"], [40, "XL"], [10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"],
];

export function toRoman(n: number): string {
  let out = "";
  for (const [value, numeral] of romans) {
    while (n >= value) {
      out += numeral;
      n -= value;
    }
  }
  return out;
}
