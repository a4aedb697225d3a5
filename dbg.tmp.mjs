import { getLlama, LlamaCompletion, LlamaLogLevel } from "node-llama-cpp";
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath: "models/opus-mini.gguf" });
const ctx = await model.createContext({ contextSize: Number(process.argv[2]), threads: 1 });
const c = new LlamaCompletion({ contextSequence: ctx.getSequence() });
const prompt = "Encyclopedia entry: Theosis (Theology).\nHouse style: sober, precise Orthodox theology for educated readers.\nOutline: I. Scriptural Foundations; II. The Patristic Witness; III. Image and Likeness.\nSection II, \"The Patristic Witness\": Show how the Fathers taught deification.\nParagraph 3, about 120 words, on: St. Athanasius.\n\n## II. The Patristic Witness\n\nSt. Irenaeus of Lyons, writing against the Gnostics in the second century, first stated the teaching clearly. The Word of God became what we are, that He might bring us to be even what He is Himself.\n\n";
for (let i = 0; i < 8; i++) {
  const out = await c.generateCompletion(prompt, { maxTokens: 60, temperature: 0.8, seed: i, customStopTriggers: ["\n\n", "\n#"] });
  console.log(i, JSON.stringify(out.slice(0, 120)));
}
