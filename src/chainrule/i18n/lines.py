"""Text in a terminal's columns: widths as terminals measure them, lines broken by each language's rules.

* Width: a wide or fullwidth character (Chinese, Japanese, Korean; East Asian Width W or F) takes two
  columns, a combining mark or a zero-width character none, every other character one (what
  ``wcwidth`` says, and what terminals do).
* Korean is written with spaces between words and breaks only there, like English: a Hangul word
  is never split.
* Chinese and Japanese may break between any two characters, except where their line-breaking
  rules (kinsoku) forbid it: never after an opening bracket, never before a closing bracket, a
  full stop, a comma or a small kana; and never inside a run of Latin letters and digits (code),
  nor, in Japanese, inside a katakana word (レイヤ, ネットワーク).
"""

from __future__ import annotations

import unicodedata

__all__ = ["width", "wrap"]

#: Characters a line may not end with (opening brackets and quotes).
NO_END = set("([{（［｛〔〈《「『【〘〖〝‘“｟«")
#: Characters a line may not start with: closing brackets and quotes, stops, commas, colons, small kana,
#: the prolonged sound mark, iteration marks.
NO_START = set(")]}）］｝〕〉》」』】〙〗〟’”｠»"
               "、。，．,.：:；;！!？?・‐゠–〜～…‥"
               "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿーヽヾゝゞ々〻")


def _char_width(ch):
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf") or ch == "\u200b":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def width(text):
    """Columns ``text`` takes in a terminal: 2 for wide (CJK) characters, 0 for combining ones, else 1."""
    return sum(_char_width(ch) for ch in text)


def _katakana(ch):
    return "\u30a0" <= ch <= "\u30ff" or "\u31f0" <= ch <= "\u31ff" or "\uff66" <= ch <= "\uff9f"


def _word(ch):
    """A character of a run that is never split (Latin letters, digits, code), in any language."""
    return ch.isascii() and not ch.isspace() and ch not in NO_END and ch not in ")]}"


def _breakable(before, after, lang):
    """Whether a line may end after ``before`` when ``after`` follows (neither a space)."""
    if lang not in ("zh", "ja"):
        return False  # English and Korean: at spaces only
    if before in NO_END or after in NO_START:
        return False
    if _word(before) and _word(after):
        return False  # inside a Latin word, a number or a piece of code
    if lang == "ja" and _katakana(before) and _katakana(after):
        return False  # inside a katakana word
    return _char_width(before) == 2 or _char_width(after) == 2


def _breaks(text, lang):
    """The places a line may end, as ``(end of this line, start of the next)`` index pairs."""
    out = []
    for i in range(1, len(text)):
        if text[i] == " " and text[i - 1] != " ":
            j = i
            while j < len(text) and text[j] == " ":
                j += 1
            if j < len(text) and (text[j] not in NO_START or lang not in ("zh", "ja")):
                out.append((i, j))
        elif text[i] != " " and text[i - 1] != " " and _breakable(text[i - 1], text[i], lang):
            out.append((i, i))
    return out


def wrap(text, columns, first="", rest="", lang="en"):
    """``text`` in lines of at most ``columns`` display columns, broken by the rules of ``lang``.

    Parameters
    ----------
    text : str
        One paragraph (no line breaks).
    columns : int
        The widest a line may be, indent included.
    first, rest : str
        The indent of the first line and of the lines after it.
    lang : "en", "ko", "zh" or "ja"
        Whose rules: English and Korean break at spaces; Chinese and Japanese also between
        characters, by their kinsoku rules.

    Returns
    -------
    list of str
        The lines; a word wider than a line stays whole on a line of its own.
    """
    lines, indent, start = [], first, 0
    breaks = _breaks(text, lang)
    while width(indent) + width(text[start:]) > columns:
        room, used, best = columns - width(indent), 0, None
        k = start
        for end, nxt in breaks:
            if end <= start:
                continue
            used += width(text[k:end])
            k = end
            if used > room:
                break
            best = (end, nxt)
        if best is None:  # a first word wider than the line: it stays whole, the line overflows
            best = next(((end, nxt) for end, nxt in breaks if end > start), None)
            if best is None:
                break
        lines.append(indent + text[start:best[0]].rstrip())
        start, indent = best[1], rest
    lines.append(indent + text[start:])
    return lines
