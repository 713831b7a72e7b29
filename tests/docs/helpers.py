"""Shared by the tests of the translated documents: a Markdown page as sections, code blocks and code spans,
and what must be the same in every language (the structure, the code, the commands, the numbers of outputs)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests import ROOT

#: The translations of each document, by language code.
LANGS = {"ko": "ko", "zh": "zh-CN", "ja": "ja"}


@dataclass
class Section:
    level: int
    title: str
    prose: str = ""
    blocks: list = field(default_factory=list)  # (info string, text)


def sections(text):
    """The page as its sections (the text before the first heading is a section of level 0)."""
    out, fence, block = [Section(0, "")], None, []
    for line in text.splitlines():
        if fence is None and line.startswith("```"):
            fence, block = line[3:].strip(), []
        elif fence is not None and line.startswith("```"):
            out[-1].blocks.append((fence, "\n".join(block)))
            fence = None
        elif fence is not None:
            block.append(line)
        elif m := re.match(r"(#{1,6}) (.*)", line):
            out.append(Section(len(m.group(1)), m.group(2)))
        else:
            out[-1].prose += line + "\n"
    return out


def spans(text):
    """The inline code of Markdown prose, as written (its line breaks as spaces)."""
    return [re.sub(r"\s*\n\s*", " ", m.group(2)) for m in re.finditer(r"(`+)(.+?)\1", text, re.S)]


def comment_at(line):
    """Where a ``#`` comment starts in a line of Python or shell (outside quotes), or None."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote and line[i - 1] != "\\" else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return i
    return None


def code_and_comments(text):
    """``(code, comments)``: the lines without their comments, and the comments (a translation may word those)."""
    code, comments = [], []
    for line in text.splitlines():
        at = comment_at(line)
        code.append(line if at is None else line[:at].rstrip())
        if at is not None:
            comments.append(line[at:])
    return "\n".join(code).rstrip(), comments


#: What changes from one real run to the next: seconds, sizes, the time a run folder is named after.
_VARYING = [r"\d{8}-\d{6}(-\d+)?", r"\d+(\.\d+)? ?(s|초|秒)(?![\w])", r"\d+ kB"]


def numbers(text):
    """The numbers of an output, sorted, without those that vary from run to run."""
    for pattern in _VARYING:
        text = re.sub(pattern, " ", text)
    return sorted(re.findall(r"\d+(?:\.\d+)?(?:e[-+]\d+)?", text))


def compare_blocks(english, translated, where):
    """What differs between a code block and its translation: code and commands never, output numbers never."""
    (info, text), (info_t, text_t) = english, translated
    if info != info_t:
        return [f"{where}: a ```{info} block is ```{info_t}"]
    if text == text_t:
        return []
    if info in ("python", "bash", "sh", "po"):
        code, comments = code_and_comments(text)
        code_t, comments_t = code_and_comments(text_t)
        problems = [f"{where}: the code differs:\n{code}\n---\n{code_t}"] if code != code_t else []
        if numbers(" ".join(comments)) != numbers(" ".join(comments_t)):
            problems.append(f"{where}: the numbers in the comments differ: {comments} / {comments_t}")
        return problems
    commands = [re.sub(_VARYING[0], "<run>", line) for line in text.splitlines() if line.startswith(("$ ", ">>> "))]
    commands_t = [re.sub(_VARYING[0], "<run>", line) for line in text_t.splitlines()
                  if line.startswith(("$ ", ">>> "))]
    problems = [f"{where}: the commands differ: {commands} / {commands_t}"] if commands != commands_t else []
    if numbers(text) != numbers(text_t):
        problems.append(f"{where}: an output with other numbers (copy a real run):\n{text}\n---\n{text_t}")
    return problems


def compare_pages(english_text, translated_text, name):
    """Every way a translated page has drifted from the English: sections, code blocks, code spans."""
    ours, theirs = sections(english_text), sections(translated_text)
    shape, shape_t = [s.level for s in ours], [s.level for s in theirs]
    if shape != shape_t:
        titles = [f"{'#' * s.level} {s.title}" for s in ours]
        titles_t = [f"{'#' * s.level} {s.title}" for s in theirs]
        return [f"{name}: the sections differ from the English:\n" + "\n".join(
            f"{a!r:70} {b!r}" for a, b in zip(titles + [""] * len(titles_t), titles_t + [""] * len(titles),
                                             strict=False) if a or b)]
    problems = []
    for s, t in zip(ours, theirs, strict=True):
        where = f"{name}, section {'#' * s.level} {s.title}"
        if spans(s.title) != spans(t.title):
            problems.append(f"{where}: the heading's code differs: {spans(s.title)} / {spans(t.title)}")
        if len(s.blocks) != len(t.blocks):
            problems.append(f"{where}: {len(s.blocks)} code blocks in the English, {len(t.blocks)} here")
        else:
            for i, (b, bt) in enumerate(zip(s.blocks, t.blocks, strict=True)):
                problems += compare_blocks(b, bt, f"{where}, block {i + 1}")
        missing = [c for c in spans(s.prose) if c not in spans(t.prose)]
        if missing:
            problems.append(f"{where}: code the translation lacks or changed (code is never translated): {missing}")
    return problems


def page(name):
    return (ROOT / name).read_text(encoding="utf-8")
