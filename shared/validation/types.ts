// Public types of the validation suite: validators, issues, fixes, the shared document model, the
// configuration and the lint report. Other modules (edge Worker, GPU node, extra validators such as
// `uniqueness/near-duplicate`) code against these, so changes here must stay backward compatible.
import type { Tier } from "../api/tier.ts";
import type { WorkCatalog } from "./patristic/catalog.ts";

/** How bad an issue is: one definition for the validators, the pipeline's quality gate and the edge. */
export type Severity = "info" | "warning" | "error" | "critical";
/** Where a validator may run: the edge Worker (light, synchronous work) or the GPU node. */
export type RunPlace = "edge" | "gpu";
/** The entry tiers, defined once in shared/api/tier.ts. */
export type { Tier };
/** Quality dimensions the report scores separately, for the quality gate. */
export type Dimension = "style" | "structure" | "citations" | "doctrine" | "uniqueness";

export const SEVERITIES: readonly Severity[] = ["info", "warning", "error", "critical"];
export const DIMENSIONS: readonly Dimension[] = ["style", "structure", "citations", "doctrine", "uniqueness"];

/** A half-open range of UTF-16 offsets [start, end) into the document text. */
export interface Range {
  start: number;
  end: number;
}

/** Replace text[start, end) with `text`. Edits of one fix must not overlap. */
export interface TextEdit extends Range {
  text: string;
}

export interface Fix {
  /** What the fix does, in words ("replace the em dash with a comma"). */
  description: string;
  edits: TextEdit[];
}

/** What a validator reports; the pipeline adds positions (line/column) from `start`/`end`. */
export interface IssueDraft extends Range {
  message: string;
  suggestion?: string;
  fix?: Fix;
  /** Overrides the validator's severity for this one issue. */
  severity?: Severity;
  /** Overrides the rule id (for rule families such as `doctrine/<name>`). */
  rule?: string;
}

export interface Issue extends Range {
  rule: string;
  severity: Severity;
  dimension: Dimension;
  message: string;
  suggestion?: string;
  /** 1-based line and column of `start`; endLine/endColumn locate `end` (exclusive column). */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fixable: boolean;
  fix?: Fix;
}

// ---------------------------------------------------------------------------------------------
// Document model: parsed once, shared by every validator.

export type BlockKind = "title" | "heading" | "paragraph" | "blockquote" | "list" | "code" | "rule" | "table" | "html";

export interface Block extends Range {
  kind: BlockKind;
  /** 0-based line indices (inclusive). */
  startLine: number;
  endLine: number;
  /** Raw text of the block (without the trailing newline). */
  text: string;
}

export interface Heading extends Block {
  kind: "title" | "heading";
  depth: number;
  /** Heading text after the `#` markers, trimmed. */
  title: string;
  /** Offset where `title` starts in the document. */
  titleStart: number;
  /** For `## IV. Title` headings: the numeral and its value. */
  numeral?: string;
  numeralValue?: number;
}

export interface Paragraph extends Block {
  kind: "paragraph" | "blockquote" | "list";
  /** The leading indentation characters, verbatim. */
  indent: string;
  /** The prose, with indentation or `> ` markers removed. */
  content: string;
  /** Offset in the document where `content` starts. */
  contentStart: number;
  /** Index of the section (in `sections`) holding this paragraph; -1 for the lead before section I. */
  section: number;
}

export interface Sentence extends Range {
  text: string;
  /** Index into `paragraphs`. */
  paragraph: number;
}

export interface Section extends Range {
  heading: Heading;
  /** Indices into `paragraphs`. */
  paragraphs: number[];
  wordCount: number;
}

export interface Quotation extends Range {
  text: string;
  kind: "inline" | "block";
}

export interface ScriptureReference extends Range {
  /** Text as written ("Psalm 82:6"). */
  text: string;
  /** OSIS book id ("Ps", "Sir", "1Macc"). */
  book: string;
  chapter: number;
  verse?: number;
  endChapter?: number;
  endVerse?: number;
  /** Set when the parser could not resolve the book name. */
  unknownBook?: boolean;
  /** A second numbering given in parentheses: "Psalm 82:6 (LXX 81:6)". */
  alternate?: AlternateNumbering;
  /** The numbering the reference itself follows, when a bare "(LXX)" or "(MT)" says so: "Ps. xxii. 1 (LXX)". */
  numbering?: "lxx" | "mt";
}

export interface AlternateNumbering extends Range {
  /** The scheme the parenthesised numbers follow. */
  versification: "lxx" | "mt";
  chapter: number;
  verse?: number;
}

export interface PatristicCitation extends Range {
  /** Author as written ("St. Athanasius"). */
  author: string;
  authorStart: number;
  /** Italic work title as written, without asterisks. */
  work: string;
  workStart: number;
  /** Optional chapter/section locator after the title ("54", "3.19.1"). */
  locator?: string;
  /** Authors of the citation index the name may denote (several for "St. Gregory"). */
  authorIds: string[];
  /** Works of the index whose title or variant matches (empty when unknown). */
  workIds: string[];
  /** A title any author may carry ("Letter 38", "Homilies"): never unknown or misattributed. */
  generic: boolean;
  /** "italic" for "St. Athanasius, *On the Incarnation*" (the default), "prose" for "St. Basil, in his treatise against Eunomius". */
  form?: "italic" | "prose";
}

export interface OpusDocument {
  readonly text: string;
  readonly lines: readonly string[];
  /** Offset of the first character of each line. */
  readonly lineStarts: readonly number[];
  readonly title: Heading | null;
  readonly headings: readonly Heading[];
  readonly blocks: readonly Block[];
  readonly paragraphs: readonly Paragraph[];
  readonly sections: readonly Section[];
  readonly sentences: readonly Sentence[];
  readonly quotations: readonly Quotation[];
  readonly scripture: readonly ScriptureReference[];
  readonly patristic: readonly PatristicCitation[];
  /** The works citations are resolved against: the citation index, plus a library's titles when parsed with one. */
  readonly catalog: WorkCatalog;
  readonly wordCount: number;
  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number };
  /** True when the offset lies inside a quotation (quoted text is not the writer's own claim). */
  inQuotation(offset: number): boolean;
  /** Index of the sentence holding an offset, or -1. */
  sentenceAt(offset: number): number;
  /** Derived data computed once per document and shared between validators (keyed by a unique name). */
  memo<T>(key: string, compute: () => T): T;
}

// ---------------------------------------------------------------------------------------------
// Validators and configuration.

export interface ValidationContext {
  /** Absent when linting an arbitrary file without a tier: tier-specific checks are skipped. */
  tier: Tier | undefined;
  place: RunPlace;
  /** The rule's options after configuration (defaults merged with per-environment/tier overrides). */
  options: Readonly<Record<string, unknown>>;
}

export interface Validator {
  /** Stable public rule id ("style/em-dash"); a family may emit ids below it ("doctrine/filioque"). */
  id: string;
  description: string;
  severity: Severity;
  dimension: Dimension;
  /** Lower runs first. */
  priority: number;
  places: readonly RunPlace[];
  /** True when the validator offers fixes on (some of) its issues. */
  fixable?: boolean;
  /** Default options; configuration overrides keys shallowly. */
  defaults?: Readonly<Record<string, unknown>>;
  validate(doc: OpusDocument, ctx: ValidationContext): IssueDraft[] | Promise<IssueDraft[]>;
}

export interface RuleConfig {
  enabled?: boolean;
  severity?: Severity;
  priority?: number;
  options?: Record<string, unknown>;
}

/** Rule settings keyed by rule id; a family prefix ("doctrine/*" or "doctrine") applies to all its ids. */
export type RuleSettings = Record<string, boolean | RuleConfig>;

export interface ValidationConfig {
  rules?: RuleSettings;
  /** Overrides applied when running at that place, after `rules`. */
  places?: Partial<Record<RunPlace, RuleSettings>>;
  /** Overrides applied for that tier, after `places`. */
  tiers?: Partial<Record<Tier, RuleSettings>>;
}

export interface RuleStats {
  count: number;
  /** Milliseconds spent in the validator. */
  ms: number;
  severity: Severity;
  dimension: Dimension;
}

export interface LintReport {
  /** No issue of severity error or critical. */
  passed: boolean;
  /** 0..1 overall, mean of the dimension scores weighted by severity counts. */
  score: number;
  /** Per-dimension scores 0..1 for the quality gate. */
  dimensions: Record<Dimension, number>;
  issues: Issue[];
  /** Milliseconds per validator id, plus `parse` and `total`. */
  timings: Record<string, number>;
  byRule: Record<string, RuleStats>;
  counts: Record<Severity, number>;
  tier: Tier | null;
  place: RunPlace;
  wordCount: number;
}

export interface LintOptions {
  tier?: Tier;
  place?: RunPlace;
  config?: ValidationConfig;
  /** Validators added at run time (e.g. `uniqueness/near-duplicate` on the GPU node). */
  extraValidators?: readonly Validator[];
}

export interface FixResult {
  markdown: string;
  rounds: number;
  /** Number of fixes applied, by rule id. */
  fixed: Record<string, number>;
  /** Fixes rejected because they would have made a passing rule fail. */
  rejected: Record<string, number>;
}
