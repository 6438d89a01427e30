"""The receipt as six words: the same secret as the 16 digits, spelled so it can be kept.

A receipt is 16 decimal digits, a number ``n`` with ``0 <= n < 10**16``
(:func:`campaign.cases.crypto.new_receipt`). Each word list holds exactly 512 words, one a
line, and a word stands for its line number, 0 to 511 (512 = 2**9, nine bits a word). The
six words are ``n`` written in base 512, most significant digit first::

    n = w1 * 512**5 + w2 * 512**4 + w3 * 512**3 + w4 * 512**2 + w5 * 512 + w6

Six words are needed and enough: 512**5 = 35,184,372,088,832 < 10**16, and
512**6 = 18,014,398,509,481,984 >= 10**16 = 10,000,000,000,000,000. So every receipt has
exactly one six-word spelling in each language (the first word is always one of the first
285 of its list, since 10**16 / 512**5 = 284.2...), and six words whose value is 10**16 or
more spell no receipt at all (:func:`receipt_from_words` answers None).

Strength: the words carry exactly the same secret as the digits, no more and no less. A
receipt is one of 10**16 equally likely values, log2(10**16) = 53.15 bits, whichever way it
is written; six words could hold 54 bits, and the spare 0.85 bit is the values that are not
receipts. Guessing words is guessing receipts, and every guess still costs a full Argon2id
computation on the server (crypto.py). Nothing but the digits is ever derived or stored:
the words are turned back into the 16 digits before anything else happens.

The lists are frozen. The order of a list IS the encoding: changing, adding or reordering
a single line gives every receipt already written down as words a different meaning, so
the person could no longer read her answer. tests/help/test_receipt_words.py pins each
file's SHA-256 for that reason.

What a person may type is read with some tolerance (:func:`fold`): any case, any mix of
separators (spaces, hyphens and dashes, commas, dots, slashes, new lines), the Russian
"ё" typed as "е" (and the Belarusian "ё" too), the Belarusian "ў" typed as "у" and "і"
typed as "и" (a Russian keyboard has neither), and Latin letters that look like Cyrillic
ones typed inside a Cyrillic word (a e o p c x y i k m t b h, read as their upper-case
look-alikes: A B E H I K M O P C T X Y). The lists are chosen so that this folding never
makes two words of the three lists the same (checked when the lists are loaded), so a
typed word means at most one word of one list; all six must come from the same list.

Pure domain code: no Flask (docs/architecture.md).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from campaign.cases.crypto import RECEIPT_DIGITS, normalize_receipt

__all__ = [
    "BASE",
    "LANGUAGES",
    "WORDS",
    "WordListError",
    "fold",
    "looks_like_words",
    "read_wordlist",
    "receipt_from_words",
    "wordlist",
    "words_for",
]

LANGUAGES = ("be", "ru", "en")
WORDS = 6  # words in a receipt
BASE = 512  # words in each list: one word is one digit in base 512
RECEIPT_LIMIT = 10**RECEIPT_DIGITS  # receipts are 0 .. RECEIPT_LIMIT - 1
WORDLIST_DIR = Path(__file__).resolve().parent / "wordlists"

# Latin letters a person may type for the Cyrillic letter they look like (lower case after
# str.lower(); the pairs are the upper-case look-alikes, so "b" is "В" and "h" is "Н").
_LATIN_LOOKALIKES = str.maketrans("aeopcxyikmtbh", "аеорсхуікмтвн")
# What typing on another keyboard or leaving out diacritics turns a letter into.
_LOOSE_LETTERS = str.maketrans({"ё": "е", "ў": "у", "і": "и"})
# Where one word ends and the next begins: any run of white space (new lines and no-break
# spaces too), commas, dots, semicolons, colons, slashes, bars, underscores, hyphens and
# dashes.
_SEPARATORS = re.compile(r"[\s,.;:/\\|_\-\u2010-\u2015\u2212]+")
# Invisible characters that copying and pasting may bring along.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


class WordListError(RuntimeError):
    """A word list file is missing or is not 512 unique lower-case words, one a line."""


def read_wordlist(path: Path) -> tuple[str, ...]:
    """The words of one list file, in order; :class:`WordListError` if it is not valid."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WordListError(f"cannot read the word list {path}: {exc}") from exc
    words = tuple(text.splitlines())
    if len(words) != BASE:
        raise WordListError(f"{path}: {len(words)} lines, a word list needs exactly {BASE}")
    for number, word in enumerate(words, start=1):
        if not (word.isalpha() and word == word.lower()):
            raise WordListError(f"{path}, line {number}: {word!r} is not one lower-case word")
    seen: dict[str, int] = {}
    for number, word in enumerate(words, start=1):
        if word in seen:
            raise WordListError(f"{path}, line {number}: {word!r} is already on line {seen[word]}")
        seen[word] = number
    return words


def fold(text: str) -> str:
    """A typed word reduced to what is compared: lower case, Latin look-alikes as Cyrillic,
    "ё" as "е", "ў" as "у", "і" as "и"."""
    word = unicodedata.normalize("NFC", text).lower()
    return word.translate(_LATIN_LOOKALIKES).translate(_LOOSE_LETTERS)


@functools.cache
def wordlist(lang: str) -> tuple[str, ...]:
    """The 512 words of one language, in the order that gives them their value."""
    if lang not in LANGUAGES:
        raise ValueError(f"no receipt word list for language {lang!r}")
    return read_wordlist(WORDLIST_DIR / f"{lang}.txt")


@functools.cache
def _positions() -> dict[str, dict[str, int]]:
    """For each language, each word's folded form and its position in the list.

    Checks that folding leaves every word of the three lists distinct: otherwise a typed
    word could mean two words, and the reading would depend on which list was tried first.
    """
    owner: dict[str, tuple[str, str]] = {}
    positions: dict[str, dict[str, int]] = {}
    for lang in LANGUAGES:
        table: dict[str, int] = {}
        for position, word in enumerate(wordlist(lang)):
            key = fold(word)
            if key in owner:
                other_lang, other = owner[key]
                raise WordListError(
                    f"receipt words {other!r} ({other_lang}) and {word!r} ({lang}) "
                    f"are read the same when typed ({key!r})"
                )
            owner[key] = (lang, word)
            table[key] = position
        positions[lang] = table
    return positions


def words_for(receipt: str, lang: str) -> list[str]:
    """The six words (in ``lang``) for a receipt of 16 digits, spaces allowed.

    ValueError if ``receipt`` is not 16 digits or there is no list for ``lang``.
    """
    words = wordlist(lang)
    digits = normalize_receipt(receipt)
    if digits is None:
        raise ValueError(f"a receipt is {RECEIPT_DIGITS} digits")
    value = int(digits)
    spelled: list[str] = []
    for _ in range(WORDS):
        value, position = divmod(value, BASE)
        spelled.append(words[position])
    spelled.reverse()
    return spelled


def _tokens(text: str) -> list[str]:
    cleaned = text.translate(_INVISIBLE)
    return [token for token in _SEPARATORS.split(cleaned) if token]


def receipt_from_words(text: str, preferred: str | None = None) -> str | None:
    """The 16-digit receipt that six typed words spell, or None.

    None unless the text is exactly six known words of one list (tried in ``preferred``
    first, then the others; a language without a list is ignored) whose value is below
    10**16. The tolerance for how the words are typed is in the module docstring.
    """
    tokens = _tokens(text)
    if len(tokens) != WORDS:
        return None
    keys = [fold(token) for token in tokens]
    positions = _positions()
    order = sorted(LANGUAGES, key=lambda lang: lang != preferred)
    for lang in order:
        table = positions[lang]
        if not all(key in table for key in keys):
            continue
        value = 0
        for key in keys:
            value = value * BASE + table[key]
        if value >= RECEIPT_LIMIT:
            return None  # six real words, but no receipt is that large
        return f"{value:0{RECEIPT_DIGITS}d}"
    return None


def looks_like_words(text: str) -> bool:
    """True if the text has letters in it: read it as words, not as digits."""
    return any(character.isalpha() for character in text)
