"""The training corpus: public-domain Fathers and councils, the World English Bible, and our golden entries.

Every document is rendered in the shape the pipeline prompts a base model with (a heading, then plain
paragraphs separated by blank lines), so what the model learns to continue is what it is asked to continue.
A fixed, hash-chosen set of Fathers works is held out of training (and of the tokenizer) for evaluation.
"""
from __future__ import annotations

import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO.parent / "shared" / "sources"
GOLDEN = REPO / "corpus" / "golden"

# One Fathers work in HELD_OUT_MODULUS is held out: deterministic, and readable by the benchmark.
HELD_OUT_MODULUS = 80

FOOTNOTE_MARK = re.compile(r"(?<=[A-Za-z\.,;:!?\u2019\u201d\)\]])\d{1,3}\b")
LEADING_NUMBER = re.compile(r"^\d{1,4}\.\s+")
FOOTNOTE_PARAGRAPH = re.compile(r"^\d{1,4}\s+\S")
INDENT = "\u00a0" * 4


@dataclass(frozen=True)
class Document:
    source: str  # "fathers", "bible" or "golden"
    text: str


def held_out(author: str, work: str) -> bool:
    return zlib.crc32(f"{author}|{work}".encode()) % HELD_OUT_MODULUS == 0


def clean_fathers_text(text: str) -> list[str]:
    """Paragraphs of running prose: footnote marks and footnote lists, contents lines and numbering removed."""
    paragraphs = []
    for raw in text.split("\n\n"):
        p = " ".join(raw.split())
        if FOOTNOTE_PARAGRAPH.match(p) and not LEADING_NUMBER.match(p):
            continue  # "12 Ps. xxxix. 1." is a footnote, "12. If the..." a numbered paragraph
        p = LEADING_NUMBER.sub("", p)
        p = FOOTNOTE_MARK.sub("", p)
        if len(p.split()) < 12:
            continue  # headings, contents lists and stray lines
        paragraphs.append(p)
    return paragraphs


def fathers_documents(held: bool = False) -> list[tuple[dict, Document]]:
    """(work record, document) for every Fathers work, training works or (held=True) held-out ones."""
    out = []
    for path in sorted((SOURCES / "fathers").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            work = json.loads(line)
            if held_out(work["author"], work["work"]) != held:
                continue
            paragraphs = clean_fathers_text(work["text"])
            if not paragraphs:
                continue
            title = f"{work['author']}, {work['work'].replace(' / ', ', ')}"
            out.append((work, Document("fathers", f"## {title}\n\n" + "\n\n".join(paragraphs) + "\n")))
    return out


def bible_documents() -> list[Document]:
    """One document a chapter: its verses as one paragraph, as prose quotes them."""
    chapters: dict[tuple[str, int], list[str]] = {}
    for line in (SOURCES / "bible" / "web.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            v = json.loads(line)
            chapters.setdefault((v["book"], v["chapter"]), []).append(v["text"].strip())
    return [Document("bible", f"## {book} {chapter}\n\n" + " ".join(verses) + "\n") for (book, chapter), verses in chapters.items()]


def golden_documents() -> list[Document]:
    """Our entries in the pipeline's completion shape: a subject line, section headings, plain paragraphs."""
    docs = []
    for path in sorted(GOLDEN.glob("*.md")):
        if path.name == "README.md":
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        subject = lines[0].lstrip("# ").strip()
        body = "\n".join(l.replace(INDENT, "") for l in lines[1:]).strip()
        docs.append(Document("golden", f"Encyclopedia entry: {subject} (Theology).\n\n{body}\n"))
    return docs


def file_hashes() -> list[dict]:
    """Every corpus file with its sha256, for the provenance record."""
    files = sorted((SOURCES / "fathers").glob("*.jsonl")) + [SOURCES / "bible" / "web.jsonl"]
    files += sorted(p for p in GOLDEN.glob("*.md") if p.name != "README.md")
    out = []
    for p in files:
        out.append({
            "path": ("../" + str(p.relative_to(REPO.parent))) if SOURCES in p.parents else str(p.relative_to(REPO)),
            "bytes": p.stat().st_size,
            "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
        })
    return out
