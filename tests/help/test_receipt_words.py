"""The receipt as six words (campaign/cases/receipt_words.py): the arithmetic, the round
trip in every language, what a person may type, and the word lists themselves."""

from __future__ import annotations

import hashlib
import itertools
import math
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from campaign.cases.receipt_words import (
    BASE,
    LANGUAGES,
    WORDLIST_DIR,
    WORDS,
    WordListError,
    fold,
    looks_like_words,
    read_wordlist,
    receipt_from_words,
    wordlist,
    words_for,
)

ALPHABETS = {
    "be": set("абвгдеёжзійклмнопрстуўфхцчшыьэюя"),
    "ru": set("абвгдежзийклмнопрстуфхцчшщъыьэюя"),  # no "ё": never in a list word
    "en": set("abcdefghijklmnopqrstuvwxyz"),
}
# Cyrillic letters and the Latin letters that look like them (upper case: В is B, Н is H).
CYRILLIC_TO_LATIN = str.maketrans("аеорсхуікмтвн", "aeopcxyikmtbh")

# The lists are frozen: a word's line number is its value, so any change to a file gives
# every receipt already handed out as words another meaning. Never update these hashes
# to make the test pass; a new list needs a new language code (or a versioned receipt).
FROZEN_SHA256 = {
    "be": "4a678bd62ba07fa385116b9c43b1ea05229a510481152131b7cd0105012b5f22",
    "ru": "2e17c2874a5c449bea8c32d8e3f7b17780e87f16df6d293c07272539c7be0861",
    "en": "e868ccbcec7b8e844d40f6e14cad9274562b660658855ca94bbc0b389ff9a6c6",
}
KNOWN = {  # one receipt, spelled with the frozen lists
    "be": ["бераг", "бузіна", "кавун", "паднос", "пшаніца", "касач"],
    "ru": ["боровик", "бумага", "клубок", "оливка", "пристань", "корица"],
    "en": ["bicycle", "bluebird", "fridge", "oasis", "puppy", "hammock"],
}
KNOWN_RECEIPT = "1234567890123456"


def random_receipt() -> str:
    return f"{secrets.randbelow(10**16):016d}"


def other(lang: str) -> str:
    return next(code for code in LANGUAGES if code != lang)


def at_distance_one(a: str, b: str) -> bool:
    """One letter changed, added or removed (Levenshtein distance exactly 1)."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


# --- the arithmetic -----------------------------------------------------------------------


def test_six_words_of_512_are_needed_and_enough() -> None:
    assert (LANGUAGES, WORDS, BASE) == (("be", "ru", "en"), 6, 512)
    assert 512**6 >= 10**16 > 512**5
    assert 512**6 == 18_014_398_509_481_984
    assert round(math.log2(10**16), 2) == 53.15  # the secret, in digits or in words


def test_a_word_is_a_digit_in_base_512() -> None:
    for lang in LANGUAGES:
        words = wordlist(lang)
        assert words_for("0000000000000000", lang) == [words[0]] * 6
        assert words_for("0000000000000001", lang) == [words[0]] * 5 + [words[1]]
        assert words_for("0000000000000512", lang) == [words[0]] * 4 + [words[1], words[0]]
        top = words_for("9999999999999999", lang)
        value = 0
        for word in top:
            value = value * 512 + words.index(word)
        assert value == 10**16 - 1
        assert words.index(top[0]) == 10**16 // 512**5 == 284


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_frozen_lists_spell_a_known_receipt(lang: str) -> None:
    assert words_for(KNOWN_RECEIPT, lang) == KNOWN[lang]
    assert receipt_from_words(" ".join(KNOWN[lang])) == KNOWN_RECEIPT


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_lists_are_frozen(lang: str) -> None:
    data = (WORDLIST_DIR / f"{lang}.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == FROZEN_SHA256[lang], (
        f"{lang}.txt changed: every receipt already given out in these words would break"
    )


# --- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_random_receipts_round_trip(lang: str) -> None:
    for _ in range(300):
        receipt = random_receipt()
        words = words_for(receipt, lang)
        assert len(words) == WORDS
        assert all(word in wordlist(lang) for word in words)
        text = " ".join(words)
        assert receipt_from_words(text) == receipt
        assert receipt_from_words(text, preferred=lang) == receipt
        assert receipt_from_words(text, preferred=other(lang)) == receipt


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("receipt", ["0000000000000000", "9999999999999999"])
def test_edge_receipts_round_trip(lang: str, receipt: str) -> None:
    assert receipt_from_words(" ".join(words_for(receipt, lang))) == receipt


def test_words_for_takes_the_receipt_as_shown() -> None:
    assert words_for("1234 5678 9012 3456", "en") == KNOWN["en"]
    assert words_for(" 1234567890123456 ", "ru") == KNOWN["ru"]


@pytest.mark.parametrize(
    "bad", ["", "123456789012345", "12345678901234567", "1234 5678 9012 345x", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦"]
)
def test_words_for_refuses_what_is_not_a_receipt(bad: str) -> None:
    with pytest.raises(ValueError, match="16 digits"):
        words_for(bad, "en")


def test_words_for_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="language"):
        words_for(KNOWN_RECEIPT, "de")


# --- what a person may type -------------------------------------------------------------------


STYLES: list[Callable[[list[str]], str]] = [
    lambda w: " ".join(w).upper(),
    lambda w: " ".join(word.capitalize() for word in w),
    lambda w: "-".join(w),
    lambda w: ", ".join(w),
    lambda w: ",".join(w),
    lambda w: ". ".join(w) + ".",
    lambda w: " / ".join(w),
    lambda w: "\n".join(w),
    lambda w: "\r\n".join(w) + "\r\n",
    lambda w: "   " + "    ".join(w) + " \t ",
    lambda w: " - ".join(" , ".join(w[i : i + 2]) for i in range(0, 6, 2)),
    lambda w: "\u00a0".join(w),  # no-break space
    lambda w: " \u2013 ".join(w),  # en dash
    lambda w: "\u200b" + " ".join(w),  # zero-width space from a copy and paste
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("style", STYLES)
def test_every_spelling_style(lang: str, style: Callable[[list[str]], str]) -> None:
    receipt = random_receipt()
    text = style(words_for(receipt, lang))
    assert receipt_from_words(text) == receipt
    assert receipt_from_words(text, preferred=lang) == receipt


def small_first(words: list[str], lang: str) -> str:
    """Five words after the list's first word: always below 10**16."""
    return " ".join([wordlist(lang)[0], *words[:5]])


def test_yo_typed_as_ye_and_ye_typed_as_yo() -> None:
    receipt = random_receipt()
    # Russian: no list word has "ё", but a person may still put one in for "е".
    words = words_for(receipt, "ru")
    assert receipt_from_words(" ".join(word.replace("е", "ё") for word in words)) == receipt
    # Belarusian always writes "ё"; typed without the dots it is still understood.
    with_yo = [word for word in wordlist("be") if "ё" in word]
    assert len(with_yo) >= 5
    expected = receipt_from_words(small_first(with_yo, "be"))
    assert expected is not None
    plain = [word.replace("ё", "е") for word in with_yo]
    assert receipt_from_words(small_first(plain, "be")) == expected
    for word in with_yo:
        assert fold(word.replace("ё", "е")) == fold(word)


def test_belarusian_u_short_typed_as_u() -> None:
    with_u_short = [word for word in wordlist("be") if "ў" in word]
    assert len(with_u_short) >= 5
    expected = receipt_from_words(small_first(with_u_short, "be"))
    assert expected is not None
    plain = [word.replace("ў", "у") for word in with_u_short]
    assert receipt_from_words(small_first(plain, "be")) == expected
    first = wordlist("be")[0]
    for word in with_u_short:  # every such word, as the last of a receipt
        position = wordlist("be").index(word)
        text = " ".join([first] * 5 + [word.replace("ў", "у")])
        assert receipt_from_words(text) == f"{position:016d}", word


def test_belarusian_i_typed_as_russian_i_or_latin_i() -> None:
    receipt = random_receipt()
    words = words_for(receipt, "be")
    assert receipt_from_words(" ".join(word.replace("і", "и") for word in words)) == receipt
    assert receipt_from_words(" ".join(word.replace("і", "i") for word in words)) == receipt


@pytest.mark.parametrize("lang", ["be", "ru"])
def test_latin_look_alikes_in_cyrillic_words(lang: str) -> None:
    first = wordlist(lang)[0]
    for position, word in enumerate(wordlist(lang)):
        latinised = word.translate(CYRILLIC_TO_LATIN)
        upper = word.upper().translate(str.maketrans("АВЕНІКМОРСТХУ", "ABEHIKMOPCTXY"))
        for typed in (latinised, upper):
            text = " ".join([first] * 5 + [typed])
            assert receipt_from_words(text) == f"{position:016d}", (word, typed)
    receipt = random_receipt()
    mixed = [w.translate(CYRILLIC_TO_LATIN) for w in words_for(receipt, lang)]
    assert receipt_from_words(" ".join(mixed), preferred="en") == receipt


# --- what is not a receipt --------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_wrong_number_of_words(lang: str) -> None:
    words = words_for(random_receipt(), lang)
    assert receipt_from_words(" ".join(words[:5])) is None
    assert receipt_from_words(" ".join([*words, words[0]])) is None
    assert receipt_from_words(" ".join(words[:1])) is None
    assert receipt_from_words("") is None
    assert receipt_from_words(" , - \n ") is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unknown_word(lang: str) -> None:
    words = words_for(random_receipt(), lang)
    for unknown in ("xyzzy", "абракадабра", "1234", "кот'", words[2] + words[3]):
        assert receipt_from_words(" ".join([*words[:5], unknown])) is None
    misspelt = words[0][:-1] + ("q" if lang == "en" else "ъ")
    assert receipt_from_words(" ".join([misspelt, *words[1:]])) is None


def test_words_mixed_from_two_lists() -> None:
    receipt = random_receipt()
    spelled = {lang: words_for(receipt, lang) for lang in LANGUAGES}
    for a, b in itertools.permutations(LANGUAGES, 2):
        for position in range(WORDS):
            mixed = list(spelled[a])
            mixed[position] = spelled[b][position]
            for preferred in (None, a, b):
                assert receipt_from_words(" ".join(mixed), preferred) is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_values_from_10_to_the_16_up_are_not_receipts(lang: str) -> None:
    words = wordlist(lang)
    assert receipt_from_words(" ".join([words[-1]] * 6)) is None  # 512**6 - 1
    limit = 10**16
    for value in (limit, limit + 1, 285 * 512**5):
        digits = []
        for _ in range(WORDS):
            value, position = divmod(value, BASE)
            digits.append(words[position])
        assert receipt_from_words(" ".join(reversed(digits))) is None
    assert receipt_from_words(" ".join(words_for("9999999999999999", lang))) is not None


def test_preferred_language_is_only_an_order() -> None:
    receipt = random_receipt()
    for lang in LANGUAGES:
        text = " ".join(words_for(receipt, lang))
        for preferred in (*LANGUAGES, None, "de", ""):
            assert receipt_from_words(text, preferred) == receipt


def test_looks_like_words() -> None:
    assert looks_like_words("яблык сліва")
    assert looks_like_words("apple")
    assert looks_like_words("1234 5678 9012 345a")
    assert not looks_like_words("1234 5678 9012 3456")
    assert not looks_like_words("1234-5678-9012-3456\n")
    assert not looks_like_words("")


# --- the lists ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_list_properties(lang: str) -> None:
    words = wordlist(lang)
    lines = (WORDLIST_DIR / f"{lang}.txt").read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and lines[:-1] == list(words)  # one word a line, final newline
    assert len(words) == 512
    assert len(set(words)) == 512
    for word in words:
        assert word == word.lower(), word
        assert 3 <= len(word) <= 8, word
        assert set(word) <= ALPHABETS[lang], word


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_two_words_of_a_list_at_edit_distance_one(lang: str) -> None:
    words = wordlist(lang)
    close = [
        (a, b)
        for a, b in itertools.combinations(words, 2)
        if abs(len(a) - len(b)) <= 1 and at_distance_one(a, b)
    ]
    assert close == []


def test_the_lists_are_disjoint() -> None:
    sets = {lang: set(wordlist(lang)) for lang in LANGUAGES}
    for a, b in itertools.combinations(LANGUAGES, 2):
        assert sets[a].isdisjoint(sets[b]), sets[a] & sets[b]


def test_no_two_words_read_the_same_when_typed() -> None:
    """After folding (ё/е, ў/у, і/и, Latin look-alikes) every word of the three lists is
    still distinct, so a typed word never means two words."""
    folded: dict[str, str] = {}
    for lang in LANGUAGES:
        for word in wordlist(lang):
            key = fold(word)
            assert key not in folded, (word, folded.get(key))
            folded[key] = word


def test_a_broken_list_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    good = ["".join(letters) for letters in itertools.product("abcdefgh", repeat=3)]
    path = tmp_path / "list.txt"
    path.write_text("\n".join(good) + "\n", encoding="utf-8")
    assert read_wordlist(path) == tuple(good)
    cases = {
        "511 lines": good[:-1],
        "513 lines": [*good, "wzzz"],
        "already on line 1": [good[0], *good[1:-1], good[0]],
        "not one lower-case word": [*good[:-1], "Apple"],
    }
    for message, lines in cases.items():
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(WordListError, match=message):
            read_wordlist(path)
    for bad in ("two words", "", "dash-ed", "   "):
        path.write_text("\n".join([*good[:-1], bad]) + "\n", encoding="utf-8")
        with pytest.raises(WordListError, match="not one lower-case word"):
            read_wordlist(path)
    with pytest.raises(WordListError, match="cannot read"):
        read_wordlist(tmp_path / "missing.txt")
