"""Trains Opus's own small domain model. Run with Debian's interpreter (python3-torch, python3-sentencepiece):

    /usr/bin/python3 training/train.py prepare --vocab 2048 4096
    /usr/bin/python3 training/train.py sweep --seconds 90
    /usr/bin/python3 training/train.py train --preset <name> --steps N
    /usr/bin/python3 training/train.py export
    npx tsx training/export-gguf.ts --in training/out/export --out models/opus-mini.gguf

Everything is seeded; a killed `train` resumes from its last checkpoint (training/out/run/).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import struct
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import HELD_OUT_MODULUS, file_hashes  # noqa: E402
from data import MIX, held_out_text, load_documents, load_streams, tokenize_streams, train_tokenizer  # noqa: E402
from model import Llama, ModelConfig, hidden_dim_for  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"

# Candidate shapes for the sweep: (dim, layers, heads); vocabulary and context are swept beside them.
PRESETS = {
    "d96-l4": (96, 4, 4),
    "d128-l4": (128, 4, 4),
    "d160-l5": (160, 5, 5),
    "d192-l6": (192, 6, 6),
    "d256-l6": (256, 6, 8),
}


def model_config(preset: str, vocab: int, context: int) -> ModelConfig:
    dim, layers, heads = PRESETS[preset]
    return ModelConfig(vocab_size=vocab, dim=dim, n_layers=layers, n_heads=heads, n_kv_heads=heads,
                       hidden_dim=hidden_dim_for(dim), context_length=context)


class Sampler:
    """Random training windows, drawn from each source in the MIX proportions, from a seeded generator."""

    def __init__(self, streams: dict[str, np.ndarray], context: int, batch: int, seed: int):
        self.streams = {s: torch.from_numpy(streams[s].astype(np.int64)) for s in MIX}
        self.sources = list(MIX)
        self.weights = torch.tensor([MIX[s] for s in self.sources])
        self.context, self.batch = context, batch
        self.gen = torch.Generator().manual_seed(seed)

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        picks = torch.multinomial(self.weights, self.batch, replacement=True, generator=self.gen)
        rows = []
        for i in picks.tolist():
            stream = self.streams[self.sources[i]]
            start = int(torch.randint(0, stream.numel() - self.context - 1, (1,), generator=self.gen))
            rows.append(stream[start:start + self.context + 1])
        x = torch.stack(rows)
        return x[:, :-1], x[:, 1:]


@torch.no_grad()
def held_out_bpc(model: Llama, tokens: np.ndarray, chars: int, context: int, max_windows: int | None = None) -> float:
    """Bits per character on held-out text, in non-overlapping windows of the training context."""
    model.eval()
    t = torch.from_numpy(tokens.astype(np.int64))
    nll, counted, windows = 0.0, 0, 0
    for start in range(0, t.numel() - 1, context):
        chunk = t[start:start + context + 1]
        if chunk.numel() < 2:
            break
        _, loss = model(chunk[None, :-1], chunk[None, 1:])
        nll += float(loss) * (chunk.numel() - 1)
        counted += chunk.numel() - 1
        windows += 1
        if max_windows and windows >= max_windows:
            break
    model.train()
    # Scale to the whole text when only part of it was read.
    share = counted / max(1, t.numel() - 1)
    return nll / math.log(2) / (chars * share)


def lr_at(step: int, steps: int, peak: float, warmup: int) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def make_optimizer(model: Llama, lr: float) -> torch.optim.Optimizer:
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    rest = [p for n, p in model.named_parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.95))


def cmd_prepare(args) -> None:
    start = time.time()
    docs = load_documents(args.seed)
    for vocab in args.vocab:
        data_dir = OUT / f"data-{vocab}"
        model_path = train_tokenizer(docs, vocab, data_dir, args.seed)
        counts = tokenize_streams(docs, model_path, data_dir)
        held, _ = held_out_text()
        print(json.dumps({"vocab": vocab, "tokens": counts, "held_out_chars": len(held),
                          "seconds": round(time.time() - start, 1)}), flush=True)


def run_steps(model, opt, sampler, steps_total, start_step, args, deadline=None, on_step=None) -> tuple[int, float]:
    """Trains until steps_total (or the deadline); returns the step reached and the last smoothed loss."""
    smooth = None
    step = start_step
    while step < steps_total and (deadline is None or time.time() < deadline):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps_total, args.lr, args.warmup)
        x, y = sampler.next()
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        smooth = float(loss) if smooth is None else 0.95 * smooth + 0.05 * float(loss)
        step += 1
        if on_step:
            on_step(step, smooth)
    return step, smooth if smooth is not None else float("nan")


def cmd_sweep(args) -> None:
    """Equal wall time per candidate, on the same machine: tokens/s, and held-out bits per character."""
    torch.set_num_threads(args.threads)
    results = []
    for vocab in args.vocab:
        streams = load_streams(OUT / f"data-{vocab}")
        held_chars = len((OUT / f"data-{vocab}" / "heldout.txt").read_text(encoding="utf-8"))
        for context in args.context:
            for preset in args.presets:
                torch.manual_seed(args.seed)
                cfg = model_config(preset, vocab, context)
                model = Llama(cfg)
                opt = make_optimizer(model, args.lr)
                sampler = Sampler(streams, context, args.batch_tokens // context, args.seed)
                begin = time.time()
                # A nominal long schedule, so every candidate sees the same learning rates in its window.
                step, loss = run_steps(model, opt, sampler, 100_000, 0, args, deadline=begin + args.seconds)
                seconds = time.time() - begin
                tokens = step * args.batch_tokens
                bpc = held_out_bpc(model, streams["heldout"], held_chars, context, max_windows=64)
                row = {"preset": preset, "vocab": vocab, "context": context, "params": model.parameter_count(),
                       "steps": step, "tokens_per_second": round(tokens / seconds), "train_loss": round(loss, 3),
                       "held_out_bpc": round(bpc, 3)}
                results.append(row)
                print(json.dumps(row), flush=True)
    path = OUT / "sweep.json"
    earlier = json.loads(path.read_text())["results"] if path.exists() and args.append else []
    path.write_text(json.dumps({"threads": args.threads, "seconds_each": args.seconds, "batch_tokens": args.batch_tokens,
                                "results": earlier + results}, indent=1))


def save_checkpoint(path: Path, state: dict) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)  # a kill mid-write leaves the previous checkpoint intact


def cmd_train(args) -> None:
    torch.set_num_threads(args.threads)
    run_dir = OUT / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    ckpt_path = run_dir / "checkpoint.pt"
    data_dir = OUT / f"data-{args.vocab}"
    streams = load_streams(data_dir)
    held_chars = len((data_dir / "heldout.txt").read_text(encoding="utf-8"))
    cfg = model_config(args.preset, args.vocab, args.context)
    hyper = {"preset": args.preset, "vocab": args.vocab, "context": args.context, "steps": args.steps, "seed": args.seed,
             "lr": args.lr, "warmup": args.warmup, "batch_tokens": args.batch_tokens, "threads": args.threads}
    torch.manual_seed(args.seed)
    model = Llama(cfg)
    opt = make_optimizer(model, args.lr)
    sampler = Sampler(streams, args.context, args.batch_tokens // args.context, args.seed)
    step, elapsed, log = 0, 0.0, []
    if ckpt_path.exists():
        state = torch.load(ckpt_path)
        if state["hyper"] != hyper:
            sys.exit(f"train: {ckpt_path} was made with other settings {state['hyper']}; remove it or use those")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sampler.gen.set_state(state["sampler"])
        step, elapsed, log = state["step"], state["elapsed"], state["log"]
        print(f"train: resuming at step {step} of {args.steps}", flush=True)
    print(json.dumps({"params": model.parameter_count(), **hyper}), flush=True)
    begin = time.time()

    def checkpoint(at_step: int, loss: float) -> None:
        save_checkpoint(ckpt_path, {"hyper": hyper, "config": cfg.to_dict(), "model": model.state_dict(),
                                    "optimizer": opt.state_dict(), "sampler": sampler.gen.get_state(), "step": at_step,
                                    "elapsed": elapsed + time.time() - begin, "log": log})

    def on_step(at_step: int, loss: float) -> None:
        if at_step % args.log_every == 0 or at_step == args.steps:
            row = {"step": at_step, "loss": round(loss, 4), "minutes": round((elapsed + time.time() - begin) / 60, 2)}
            if at_step % args.eval_every == 0 or at_step == args.steps:
                row["held_out_bpc"] = round(held_out_bpc(model, streams["heldout"], held_chars, args.context, 48), 4)
            log.append(row)
            print(json.dumps(row), flush=True)
        if at_step % args.checkpoint_every == 0 or at_step == args.steps:
            checkpoint(at_step, loss)

    step, loss = run_steps(model, opt, sampler, args.steps, step, args, on_step=on_step)
    print(json.dumps({"done": step, "minutes": round((elapsed + time.time() - begin) / 60, 2)}), flush=True)


def tokenizer_record(model_path: Path) -> dict:
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=str(model_path))
    tokens, scores, types = [], [], []
    for i in range(sp.get_piece_size()):
        tokens.append(sp.id_to_piece(i))
        scores.append(sp.get_score(i))
        types.append(2 if sp.is_unknown(i) else 3 if sp.is_control(i) else 6 if sp.is_byte(i) else 5 if sp.is_unused(i) else 1)
    return {"model": "llama", "tokens": tokens, "scores": scores, "token_types": types,
            "bos_id": sp.bos_id(), "eos_id": sp.eos_id(), "unk_id": sp.unk_id(), "pad_id": sp.pad_id()}


def write_safetensors(path: Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> None:
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, t in tensors.items():
        blob = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with path.open("wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)


def cmd_export(args) -> None:
    state = torch.load(OUT / "run" / "checkpoint.pt")
    hyper, cfg = state["hyper"], ModelConfig(**state["config"])
    model = Llama(cfg)
    model.load_state_dict(state["model"])
    out = OUT / "export"
    out.mkdir(parents=True, exist_ok=True)
    write_safetensors(out / "weights.safetensors", model.gguf_tensors(), {"format": "opus-llama"})
    tok_model = OUT / f"data-{hyper['vocab']}" / f"tokenizer-{hyper['vocab']}.model"
    (out / "tokenizer.json").write_text(json.dumps(tokenizer_record(tok_model)))
    (out / "config.json").write_text(json.dumps({
        "name": "opus-mini", "context_length": cfg.context_length, "embedding_length": cfg.dim,
        "block_count": cfg.n_layers, "feed_forward_length": cfg.hidden_dim, "head_count": cfg.n_heads,
        "head_count_kv": cfg.n_kv_heads, "rope_freq_base": cfg.rope_freq_base, "rms_norm_eps": cfg.rms_norm_eps,
        "vocab_size": cfg.vocab_size}, indent=1))
    data_dir = OUT / f"data-{hyper['vocab']}"
    _, held_works = held_out_text()
    last = state["log"][-1] if state["log"] else {}
    record = {
        "model": "opus-mini",
        "architecture": "llama",
        "parameters": model.parameter_count(),
        "config": cfg.to_dict(),
        "hyper_parameters": hyper,
        "seed": hyper["seed"],
        "steps": state["step"],
        "tokens_seen": state["step"] * hyper["batch_tokens"],
        "wall_minutes": round(state["elapsed"] / 60, 1),
        "training_loss": last.get("loss"),
        "held_out_bits_per_char": next((r["held_out_bpc"] for r in reversed(state["log"]) if "held_out_bpc" in r), None),
        "loss_log": state["log"],
        "mix": MIX,
        "stream_tokens": json.loads((data_dir / "streams.json").read_text()),
        "held_out": {"rule": f"crc32(author|work) % {HELD_OUT_MODULUS} == 0", "works": held_works},
        "tokenizer": {"kind": "sentencepiece BPE, byte fallback, identity normalization", "vocab_size": cfg.vocab_size,
                      "trained_on": "a seeded sample of the training mix"},
        "corpus_files": file_hashes(),
        "machine": {"cpus": os.cpu_count(), "torch": torch.__version__, "python": platform.python_version(),
                    "threads": hyper["threads"]},
    }
    (out / "record.json").write_text(json.dumps(record, indent=1))
    print(json.dumps({k: record[k] for k in ("parameters", "steps", "wall_minutes", "training_loss", "held_out_bits_per_char")}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--seed", type=int, default=1729)
    common.add_argument("--threads", type=int, default=2)
    common.add_argument("--lr", type=float, default=3e-3)
    common.add_argument("--warmup", type=int, default=50)
    common.add_argument("--batch-tokens", type=int, default=4096)
    p = sub.add_parser("prepare", parents=[common])
    p.add_argument("--vocab", type=int, nargs="+", default=[2048])
    s = sub.add_parser("sweep", parents=[common])
    s.add_argument("--vocab", type=int, nargs="+", default=[2048])
    s.add_argument("--context", type=int, nargs="+", default=[256])
    s.add_argument("--presets", nargs="+", default=list(PRESETS))
    s.add_argument("--seconds", type=float, default=90)
    s.add_argument("--append", action="store_true", help="add to training/out/sweep.json instead of replacing it")
    t = sub.add_parser("train", parents=[common])
    t.add_argument("--preset", choices=list(PRESETS), required=True)
    t.add_argument("--vocab", type=int, default=2048)
    t.add_argument("--context", type=int, default=256)
    t.add_argument("--steps", type=int, required=True)
    t.add_argument("--log-every", type=int, default=25)
    t.add_argument("--eval-every", type=int, default=200)
    t.add_argument("--checkpoint-every", type=int, default=100)
    sub.add_parser("export", parents=[common])
    args = ap.parse_args()
    {"prepare": cmd_prepare, "sweep": cmd_sweep, "train": cmd_train, "export": cmd_export}[args.cmd](args)


if __name__ == "__main__":
    main()
