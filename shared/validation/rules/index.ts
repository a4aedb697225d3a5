// The built-in validators, all light enough to run in the edge Worker and on the GPU node.
import type { Validator } from "../types.ts";
import { emDash } from "./style/em-dash.ts";
import { paragraphIndent } from "./style/paragraph-indent.ts";
import { headingStructure } from "./style/heading-structure.ts";
import { bannedPhrase } from "./style/banned-phrase.ts";
import { garbled } from "./style/garbled.ts";
import { wordCount } from "./structure/word-count.ts";
import { truncated } from "./structure/truncated.ts";
import { repetition } from "./structure/repetition.ts";
import { unknownBook, invalidReference } from "./scripture/references.ts";
import { unknownWork, misattribution } from "./patristic/citations.ts";
import { anachronism } from "./patristic/anachronism.ts";
import { doctrine } from "./doctrine/doctrine.ts";

export const BUILTIN_VALIDATORS: readonly Validator[] = [
  emDash,
  paragraphIndent,
  headingStructure,
  bannedPhrase,
  garbled,
  wordCount,
  truncated,
  repetition,
  unknownBook,
  invalidReference,
  unknownWork,
  misattribution,
  anachronism,
  doctrine,
];

export { emDash, paragraphIndent, headingStructure, bannedPhrase, garbled, wordCount, truncated, repetition, unknownBook, invalidReference, unknownWork, misattribution, anachronism, doctrine };
