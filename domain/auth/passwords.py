"""Which passwords are accepted, after NIST SP 800-63B §5.1.1.2: long enough, not a common or
breached one, nothing guessable from the person's own phone number or name, and no composition
rules (no "one digit and one symbol": they make passwords harder to remember, not to guess).

A password an administrator sets is temporary: it must be longer (it travels on paper or by
phone), and its holder must change it at the first login.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from domain.errors import RuleViolationError

NATIONAL_DIGITS = 9  # a Vietnamese mobile number after the +84 or the leading 0
SHORTEST_NAME_PART = 2


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (common_passwords.txt beside this module: where it comes from is in its
    header), lower case."""
    text = resources.files("domain.auth").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    min_length: int = 8  # chosen by the person themselves
    temporary_min_length: int = 12  # set by an administrator

    def __post_init__(self) -> None:
        if not 8 <= self.min_length <= self.temporary_min_length <= 64:  # noqa: PLR2004 - NIST's floor, our ceiling
            msg = "lengths must satisfy 8 <= min_length <= temporary_min_length <= 64"
            raise ValueError(msg)

    def check(
        self,
        password: str,
        phone: str,
        full_name: str,
        *,
        temporary: bool,
        common: frozenset[str] | None = None,
    ) -> None:
        """Raise RuleViolationError (password_too_short, password_too_common,
        password_contains_personal_info) unless the password may be used."""
        text = unicodedata.normalize("NFKC", password).casefold()
        minimum = self.temporary_min_length if temporary else self.min_length
        if len(text) < minimum:
            raise RuleViolationError("password_too_short", min_length=minimum)
        listed = common_passwords() if common is None else common
        if text in listed or _repetitive(text) or _sequential(text):
            raise RuleViolationError("password_too_common")
        if _personal(text, phone, full_name):
            raise RuleViolationError("password_contains_personal_info")


def _repetitive(text: str) -> bool:
    """One short piece over and over: aaaaaaaa, abababab, eight spaces."""
    size = len(text)
    return any(text == text[:k] * (size // k) for k in range(1, size // 2 + 1) if size % k == 0)


def _sequential(text: str) -> bool:
    """A run up or down the alphabet or the digits: abcdefgh, 23456789, 98765432."""
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return steps in ({1}, {-1})


def _letters(text: str) -> str:
    """Letters only, without Vietnamese diacritics: "Lê Thị Hoa" -> "lethihoa"."""
    folded = unicodedata.normalize("NFKD", text.casefold().replace("đ", "d"))
    return "".join(c for c in folded if c.isalpha() and not unicodedata.combining(c))


def _personal(text: str, phone: str, full_name: str) -> bool:
    national = re.sub(r"\D", "", phone)[-NATIONAL_DIGITS:]
    if len(national) == NATIONAL_DIGITS and national in re.sub(r"\D", "", text):
        return True
    letters = _letters(text)
    parts = [_letters(part) for part in full_name.split()]
    whole = "".join(parts)
    if whole and whole in letters:
        return True
    # the name's own word with only digits or symbols around it: nguyen@2026, hoa12345678
    return any(len(part) >= SHORTEST_NAME_PART and letters == part for part in parts)
