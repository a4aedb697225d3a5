"""Tokenizer training and the token streams the trainer samples from."""
from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import sentencepiece as spm

from corpus import Document, bible_documents, fathers_documents, golden_documents

# Share of training windows drawn from each source: mostly the Fathers' prose, enough Scripture to
# quote it, and our entries for the encyclopedia's own shape.
MIX = {"fathers": 0.85, "bible": 0.10, "golden": 0.05}
# Characters of Fathers text tokenized for training: far more than a run of the time budget reads.
FATHERS_CHARS = 40_000_000
TOKENIZER_SAMPLE_CHARS = 12_000_000
HELD_OUT_CHARS = 200_000


def load_documents(seed: int) -> dict[str, list[Document]]:
    fathers = [doc for _, doc in fathers_documents(held=False)]
    random.Random(seed).shuffle(fathers)
    kept, total = [], 0
    for doc in fathers:
        if total >= FATHERS_CHARS:
            break
        kept.append(doc)
        total += len(doc.text)
    return {"fathers": kept, "bible": bible_documents(), "golden": golden_documents()}


def held_out_text() -> tuple[str, list[dict]]:
    """The held-out Fathers works' prose (the first HELD_OUT_CHARS characters) and which works they are."""
    works = fathers_documents(held=True)
    text = "\n\n".join(doc.text for _, doc in works)[:HELD_OUT_CHARS]
    return text, [{"author": w["author"], "work": w["work"]} for w, _ in works]


def train_tokenizer(docs: dict[str, list[Document]], vocab_size: int, out_dir: Path, seed: int) -> Path:
    """A byte-fallback BPE tokenizer in llama's conventions (unk 0, bos 1, eos 2), no normalization:
    llama.cpp does not normalize, so the NO-BREAK SPACE indent and curly quotes must survive as they are."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    sample_path = out_dir / "tokenizer-sample.txt"
    budget = {k: TOKENIZER_SAMPLE_CHARS * w for k, w in MIX.items()}
    with sample_path.open("w", encoding="utf-8") as f:
        for source, items in docs.items():
            order = list(items)
            rng.shuffle(order)
            written = 0
            for doc in order:
                if written >= budget[source]:
                    break
                for line in doc.text.splitlines():
                    if line.strip():
                        f.write(line + "\n")
                        written += len(line)
    prefix = out_dir / f"tokenizer-{vocab_size}"
    spm.SentencePieceTrainer.train(
        input=str(sample_path), model_prefix=str(prefix), model_type="bpe", vocab_size=vocab_size,
        character_coverage=0.9995, byte_fallback=True, split_digits=True, normalization_rule_name="identity",
        remove_extra_whitespaces=False, add_dummy_prefix=True, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        max_sentence_length=16384, input_sentence_size=2_000_000, shuffle_input_sentence=True, seed_sentencepiece_size=200_000,
        num_threads=2, minloglevel=2,
    )
    return prefix.with_suffix(".model")


def tokenize_streams(docs: dict[str, list[Document]], model_path: Path, out_dir: Path) -> dict[str, int]:
    """One uint16 token stream a source, documents joined with bos; returns tokens per source."""
    sp = spm.SentencePieceProcessor(model_file=str(model_path))
    counts = {}
    for source, items in docs.items():
        ids = sp.encode([d.text for d in items])
        flat = np.fromiter((t for doc in ids for t in ([sp.bos_id()] + doc)), dtype=np.uint16)
        flat.tofile(out_dir / f"{source}.bin")
        counts[source] = int(flat.size)
    held, _ = held_out_text()
    (out_dir / "heldout.txt").write_text(held, encoding="utf-8")
    np.array([sp.bos_id()] + sp.encode(held), dtype=np.uint16).tofile(out_dir / "heldout.bin")
    (out_dir / "streams.json").write_text(json.dumps(counts, indent=1))
    return counts


def load_streams(data_dir: Path) -> dict[str, np.ndarray]:
    return {s: np.fromfile(data_dir / f"{s}.bin", dtype=np.uint16) for s in [*MIX, "heldout"]}
