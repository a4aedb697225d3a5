// The house style's fixed marks (docs/house-style.md), defined once for the writer and the validators.

/** The house paragraph indent: four NO-BREAK SPACEs (U+00A0). */
export const paragraphIndent = "\u00a0".repeat(4);
