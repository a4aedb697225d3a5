// A plain float64 llama forward pass over torch-shaped weights (the layout training/ exports), for
// checking that llama.cpp computes the same logits from our GGUF: RMSNorm, interleaved-pair RoPE
// (Meta / llama2.c, llama.cpp's LLAMA rope type), causal grouped-query attention, SwiGLU, tied output.
import type { LlamaHyperParameters, NamedTensor } from "../../training/gguf/llama-gguf.ts";

type Weights = ReadonlyMap<string, NamedTensor>;

function weight(weights: Weights, name: string): NamedTensor {
  const t = weights.get(name);
  if (!t) throw new Error(`no tensor ${name}`);
  return t;
}

/** y = W x for a torch [rows, cols] matrix. */
function matVec(w: NamedTensor, x: Float64Array): Float64Array {
  const [rows, cols] = w.shape as [number, number];
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w.data[r * cols + c]! * x[c]!;
    y[r] = s;
  }
  return y;
}

function rmsNorm(x: Float64Array, w: NamedTensor, eps: number): Float64Array {
  const mean = x.reduce((s, v) => s + v * v, 0) / x.length;
  const scale = 1 / Math.sqrt(mean + eps);
  return x.map((v, i) => v * scale * w.data[i]!);
}

function rope(x: Float64Array, heads: number, headDim: number, pos: number, base: number): void {
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < headDim / 2; i++) {
      const theta = pos * base ** ((-2 * i) / headDim);
      const [a, b] = [x[h * headDim + 2 * i]!, x[h * headDim + 2 * i + 1]!];
      x[h * headDim + 2 * i] = a * Math.cos(theta) - b * Math.sin(theta);
      x[h * headDim + 2 * i + 1] = a * Math.sin(theta) + b * Math.cos(theta);
    }
  }
}

/** The logits after the last of `tokens`. */
export function referenceLogits(hp: LlamaHyperParameters, weights: Weights, tokens: readonly number[]): Float64Array {
  const dim = hp.embeddingLength;
  const headDim = dim / hp.headCount;
  const group = hp.headCount / hp.headCountKv;
  const embd = weight(weights, "token_embd.weight");
  let xs = tokens.map((t) => Float64Array.from(embd.data.subarray(t * dim, (t + 1) * dim)));
  for (let l = 0; l < hp.blockCount; l++) {
    const w = (n: string) => weight(weights, `blk.${l}.${n}.weight`);
    const keys: Float64Array[] = [];
    const values: Float64Array[] = [];
    const queries = xs.map((x, pos) => {
      const h = rmsNorm(x, w("attn_norm"), hp.rmsNormEps);
      const q = matVec(w("attn_q"), h);
      const k = matVec(w("attn_k"), h);
      rope(q, hp.headCount, headDim, pos, hp.ropeFreqBase);
      rope(k, hp.headCountKv, headDim, pos, hp.ropeFreqBase);
      keys.push(k);
      values.push(matVec(w("attn_v"), h));
      return q;
    });
    xs = xs.map((x, pos) => {
      const attended = new Float64Array(dim);
      for (let head = 0; head < hp.headCount; head++) {
        const kv = Math.floor(head / group) * headDim;
        const scores = keys.slice(0, pos + 1).map((k) => {
          let s = 0;
          for (let i = 0; i < headDim; i++) s += queries[pos]![head * headDim + i]! * k[kv + i]!;
          return s / Math.sqrt(headDim);
        });
        const max = Math.max(...scores);
        const exp = scores.map((s) => Math.exp(s - max));
        const total = exp.reduce((a, b) => a + b, 0);
        exp.forEach((e, j) => {
          for (let i = 0; i < headDim; i++) attended[head * headDim + i] = attended[head * headDim + i]! + (e / total) * values[j]![kv + i]!;
        });
      }
      const projected = matVec(w("attn_output"), attended);
      const afterAttention = x.map((v, i) => v + projected[i]!);
      const h = rmsNorm(afterAttention, w("ffn_norm"), hp.rmsNormEps);
      const gate = matVec(w("ffn_gate"), h);
      const up = matVec(w("ffn_up"), h);
      const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]!);
      const down = matVec(w("ffn_down"), act);
      return afterAttention.map((v, i) => v + down[i]!);
    });
  }
  const last = rmsNorm(xs[xs.length - 1]!, weight(weights, "output_norm.weight"), hp.rmsNormEps);
  return matVec(weights.get("output.weight") ?? embd, last);
}
