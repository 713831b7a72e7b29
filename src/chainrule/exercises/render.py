"""The table ``chainrule check`` prints, in the reader's language (aligned for wide CJK characters,
its long lines broken where the language breaks them: :mod:`chainrule.i18n.lines`)."""

from __future__ import annotations

import unicodedata

from ..i18n.lines import width, wrap
from .messages import text

__all__ = ["ASCII", "ascii_only", "render", "width"]


def _pad(s, n):
    return s + " " * max(0, n - width(s))


WRAP = 100  # columns of a detail line before it wraps (by the rules of the report's language)


def _num(v):
    if v is None:
        return "-"
    if v == 0:
        return "0"
    return f"{v:.1e}"


def _value(v):
    return "-" if v is None else f"{v:.6g}"


def _index(idx):
    return "[" + ", ".join(str(i) for i in idx) + "]" if idx else "[]"


def _case(row, lang):
    if row.case is None:
        return ""
    shown = text(f"case.{row.case}", lang)
    return text("line.case", lang, case=shown, shape=row.case_shape) if row.case_shape else shown


def render(report, lang):
    """The report as text: a title, one row per tensor, a detail block under each problem, a summary."""
    def t(key, **fields):
        return text(key, lang, **fields)

    source = t("source.given") if report.source is None else report.source  # None: a dict of classes
    lines = [t("title.network", source=source, network=report.network_name) if report.network
             else t(f"title.{report.subject}", source=source), ""]
    head = [t("col.layer"), t("col.param" if report.network else "col.tensor"), t("col.verdict"),
            t("col.max_diff"), t("col.numeric"), t("col.shape"), t("col.mutated")][:6 if report.network else 7]
    table = []
    for i, row in enumerate(report.rows):
        first_of_layer = i == 0 or report.rows[i - 1].layer != row.layer
        todo = row.verdict == "not implemented"
        table.append([row.layer if first_of_layer else "", row.tensor, t(f"verdict.{row.verdict}"),
                      _num(row.max_diff), _num(row.numeric_diff),
                      "-" if todo else t("val.ok") if row.shape_ok else t("val.wrong"),
                      "-" if todo else t("val.yes") if row.dout_mutated else t("val.no")][:len(head)])
    widths = [max(width(r[c]) for r in [head, *table]) for c in range(len(head))]

    def fmt(cells):
        return "  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines.append(fmt(head))
    lines.append("  ".join("-" * w for w in widths))
    for row, cells in zip(report.rows, table, strict=True):
        lines.append(fmt(cells))
        details = []
        case = _case(row, lang)
        if row.stopped:
            details.append(t(f"line.stopped.{row.stopped}", detail=row.error, case=case))
        elif row.error:
            details.append(t("line.raised", error=row.error, case=case))
        elif row.got_shape is not None and row.got_shape != row.expected_shape:
            details.append(t("line.shape", got_shape=row.got_shape, expected_shape=row.expected_shape, case=case))
        elif row.first_diff == ():
            details.append(t("line.value", got=_value(row.got), expected=_value(row.expected), case=case))
        elif row.first_diff is not None:
            details.append(t("line.first_diff", index=_index(row.first_diff), got=_value(row.got),
                             expected=_value(row.expected), case=case))
        if row.hint:
            details.append(t("line.hint", text=row.hint_text(lang)))
        for d in details:
            lines.extend(wrap(d, WRAP, "    ", "      ", lang))
    lines.append("")
    for key, fields in report.notes:
        lines.extend(wrap(t(key, **fields), WRAP, "", "  ", lang))
    for line in _summary(report, t):
        lines.extend(wrap(line, WRAP, "", "  ", lang))
    if report.printed_bytes:
        lines += ["", t("printed.title" if len(report.printed.encode("utf-8", "replace")) >= report.printed_bytes
                        else "printed.cut", n=f"{report.printed_bytes:,}")]
        for line in _visible(report.printed).splitlines():
            lines += ["  " + line[i:i + WRAP - 2] for i in range(0, max(len(line), 1), WRAP - 2)]
    return "\n".join(lines)


def _visible(s):
    """Text the learner's code printed, with control characters (terminal escapes) shown, not obeyed."""
    return "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else f"\\x{ord(ch):02x}"
                   if ord(ch) < 256 else f"\\u{ord(ch):04x}" for ch in s)


def _summary(report, t):
    out = []
    layers = list(dict.fromkeys(row.layer for row in report.rows))
    todo = [name for name in layers if all(r.verdict == "not implemented" for r in report.layer_rows(name))]
    wrong = [f"{r.layer} {r.tensor}" for r in report.rows if not r.ok and r.layer not in todo]
    if report.ok:
        key = "summary.net_ok" if report.network else "summary.ok" if report.subject == "layers" else \
            f"summary.ok_{report.subject}"
        out.append(t(key, n=len(report.rows), layers=len(layers)))
    if wrong:
        out.append(t("summary.wrong", names=", ".join(wrong)))
    if todo:
        out.append(t("summary.todo", names=", ".join(todo)))
    if report.borrowed:
        out.append(t("summary.borrowed", names=", ".join(report.borrowed)))
    if report.missing:
        out.append(t("summary.missing", names=", ".join(report.missing)))
    return out


#: What the report's few non-ASCII symbols become on a terminal that shows only ASCII.
ASCII = {"×": "x", "…": "...", "≈": "~", "—": "-", "–": "-", "·": ".", "ᵀ": "T", "Σ": "sum ", "≤": "<=", "≥": ">=",
         "→": "->", "‘": "'", "’": "'", "“": '"', "”": '"', "²": "^2", "√": "sqrt", "∂": "d", "ε": "eps",
         "β": "beta", "γ": "gamma", "μ": "mu", "σ": "sigma", "η": "lr", "−": "-"}


def ascii_only(s):
    """``s`` with the report's symbols spelled in ASCII (``×`` -> ``x``) and anything else as ``?``."""
    return "".join(ASCII.get(ch, ch) for ch in s).encode("ascii", "replace").decode("ascii")
