// A small random-weights llama for error paths and grammar-constrained output, written by our own
// GGUF writer: seeded weights (so the bytes, and the cache name, are the same on every run) and a
// real SentencePiece-style vocabulary with byte fallback, which llama.cpp tokenizes and which
// JSON-schema grammars can spell anything with.
import { buildLlamaGguf, llamaTensorShapes, llamaTokenType, type LlamaHyperParameters, type LlamaTokenizer, type NamedTensor } from "../../training/gguf/llama-gguf.ts";

/** SentencePiece's word-start marker. */
const SPACE = "\u2581";

// Common English and domain words, and the words JSON output is made of; every prefix becomes a piece,
// so llama.cpp's SPM merges can reach the whole word from its characters.
const WORDS = (
  "the of and to in a is that for it as was with be by on not he this are or his from at which but have an " +
  "they you were her she there been one all we their has would when if so no will more can who its into only " +
  "also than other some what them then these two may first any my now such like our over man me even most made " +
  "after very many must before where through back much how good great well life long world way day own old year " +
  "word words said because each those both every again same under last never here while about between under " +
  "god lord christ jesus spirit holy father son church faith grace love peace glory light truth life death " +
  "saint saints fathers council creed icon icons prayer liturgy scripture gospel theology theosis divine " +
  "nature person energies essence trinity incarnation salvation orthodox tradition heaven earth soul body mind " +
  "true false null verdict keep revise reject confident notes name value text type items yes ok"
)
  .split(" ")
  .filter(Boolean);

const PUNCTUATION = ['{"', '"}', '":', '",', '":"', '","', '"]', '["', "{}", "[]", ".."];

/** Printable ASCII without the space, which SentencePiece writes as ▁. */
const ASCII = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i));
const LOWER = "abcdefghijklmnopqrstuvwxyz".split("");

function prefixes(piece: string): string[] {
  return Array.from({ length: piece.length - 1 }, (_, i) => piece.slice(0, i + 2));
}

/** unk, bos, eos; the 256 byte tokens; then normal pieces, shortest first, scored like BPE merges. */
export function randomLlamaTokenizer(): LlamaTokenizer {
  const tokens = ["<unk>", "<s>", "</s>"];
  const tokenTypes: number[] = [llamaTokenType.unknown, llamaTokenType.control, llamaTokenType.control];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    tokenTypes.push(llamaTokenType.byte);
  }
  const pieces = new Set<string>([SPACE, ...ASCII, ...ASCII.map((c) => SPACE + c), ...PUNCTUATION]);
  for (const a of LOWER) for (const b of LOWER) pieces.add(a + b);
  for (const word of WORDS) {
    const capital = word[0]!.toUpperCase() + word.slice(1);
    for (const form of [word, SPACE + word, SPACE + capital]) for (const p of prefixes(form)) pieces.add(p);
  }
  const normal = [...pieces].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  const scores = tokens.map(() => 0);
  normal.forEach((piece, i) => {
    tokens.push(piece);
    tokenTypes.push(llamaTokenType.normal);
    scores.push(-i);
  });
  return { tokens, scores, tokenTypes, unkId: 0, bosId: 1, eosId: 2, padId: -1 };
}

/** mulberry32: a small seeded PRNG, so the weights are the same bytes on every machine. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normals(count: number, std: number, random: () => number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    // Box-Muller; 1 - u keeps the logarithm finite.
    const r = Math.sqrt(-2 * Math.log(1 - random())) * std;
    const theta = 2 * Math.PI * random();
    out[i] = r * Math.cos(theta);
    if (i + 1 < count) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}

export function randomLlamaHyperParameters(vocabSize: number): LlamaHyperParameters {
  return {
    name: "opus-test-random",
    contextLength: 4096,
    embeddingLength: 64,
    blockCount: 2,
    feedForwardLength: 192,
    headCount: 4,
    headCountKv: 2,
    ropeFreqBase: 10000,
    rmsNormEps: 1e-5,
    vocabSize,
  };
}

/** Seeded random weights for every tensor of `hp` (tied embeddings), in torch shapes. */
export function randomLlamaTensors(hp: LlamaHyperParameters, tokenizer: LlamaTokenizer, seed: number): Map<string, NamedTensor> {
  const random = seededRandom(seed);
  const tensors = new Map<string, NamedTensor>();
  for (const [name, shape] of llamaTensorShapes(hp)) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (shape.length === 1) {
      tensors.set(name, { shape, data: new Float32Array(size).fill(1) });
    } else if (name === "token_embd.weight") {
      // Tied output: a logit is the final hidden state (RMS 1) against an embedding row, so a row std
      // of 2 / sqrt(dim) spreads logits with std about 2: varied text, and the zeroed rows of the
      // control tokens (logit 0) are almost never sampled, so EOS does not end outputs early.
      const data = normals(size, 2 / Math.sqrt(hp.embeddingLength), random);
      for (const id of [tokenizer.unkId, tokenizer.bosId, tokenizer.eosId]) data.fill(0, id * hp.embeddingLength, (id + 1) * hp.embeddingLength);
      tensors.set(name, { shape, data });
    } else {
      tensors.set(name, { shape, data: normals(size, 1 / Math.sqrt(shape[1]!), random) });
    }
  }
  return tensors;
}

/** The whole GGUF file (Q8_0 matrices, tied embeddings), about a third of a megabyte. */
export function buildRandomLlamaGguf(seed = 20240601): Buffer {
  const tokenizer = randomLlamaTokenizer();
  const hp = randomLlamaHyperParameters(tokenizer.tokens.length);
  return buildLlamaGguf(hp, tokenizer, randomLlamaTensors(hp, tokenizer, seed), { weightType: "Q8_0", license: "MIT" });
}
