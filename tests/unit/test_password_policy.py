"""Which passwords are accepted (NIST SP 800-63B): length, the common list, repetitions and runs,
the person's own phone number and name; no composition rules. No I/O besides the shipped list."""

from __future__ import annotations

import pytest

from domain.auth.passwords import PasswordPolicy, common_passwords
from domain.errors import RuleViolationError

POLICY = PasswordPolicy()
PHONE = "+84912345678"
NAME = "Lê Thị Hoa"


def _refused(password: str, *, temporary: bool = False) -> str:
    with pytest.raises(RuleViolationError) as raised:
        POLICY.check(password, PHONE, NAME, temporary=temporary)
    return raised.value.code


@pytest.mark.parametrize(
    "password",
    [
        "mây trắng bay qua đồi",  # a Vietnamese passphrase, spaces and diacritics welcome
        "correct horse battery staple",
        "xe đạp 1985 màu xanh",
        "nocapitalsnodigits",  # no composition rules
        "Ba con mèo 3!",
        "-".join(f"tu{n}" for n in range(40)),  # long ones are fine
    ],
)
def test_long_uncommon_impersonal_passwords_are_accepted(password: str) -> None:
    POLICY.check(password, PHONE, NAME, temporary=False)


@pytest.mark.parametrize("password", ["", "1", "1234567", "abc def", "mèo đen"])
def test_shorter_than_eight_is_too_short(password: str) -> None:
    assert _refused(password) == "password_too_short"


def test_a_temporary_password_set_by_an_administrator_must_be_longer() -> None:
    assert _refused("1", temporary=True) == "password_too_short"
    assert _refused("ba con mèo!", temporary=True) == "password_too_short"  # 11 characters
    POLICY.check("ba con mèo!!", PHONE, NAME, temporary=True)  # 12
    with pytest.raises(RuleViolationError) as raised:
        POLICY.check("x", PHONE, NAME, temporary=True)
    assert raised.value.detail == {"min_length": 12}


@pytest.mark.parametrize(
    "password",
    [
        "12345678",
        "password1",
        "PassWord123",  # the list is compared without case
        "iloveyou",
        "qwerty123456",
        "matkhau123",  # one of the Vietnamese additions
        "aaaaaaaa",
        "        ",  # eight spaces
        "abababab",
        "abcabcabcabc",
        "abcdefgh",
        "98765432",
    ],
)
def test_common_repeated_or_sequential_passwords_are_refused(password: str) -> None:
    assert _refused(password) == "password_too_common"


@pytest.mark.parametrize(
    "password",
    [
        "0912345678",  # the phone as people write it
        "+84912345678",
        "0912 345 678",
        "so-cua-toi-0912345678",
        "lethihoa2026",
        "Lê Thị Hoa 1960",
        "LE-THI-HOA!!",
        "hoa12345678",  # the given name with only digits around it
        "Hoa@@2026!!",
    ],
)
def test_the_persons_own_phone_or_name_is_refused(password: str) -> None:
    assert _refused(password) == "password_contains_personal_info"


def test_a_name_word_inside_a_longer_phrase_is_fine() -> None:
    POLICY.check("hoa sen trắng nở", PHONE, NAME, temporary=False)


def test_a_list_can_be_given_instead_of_the_shipped_one() -> None:
    with pytest.raises(RuleViolationError):
        POLICY.check(
            "chi-bo-so-7-ba-dinh",
            PHONE,
            NAME,
            temporary=False,
            common=frozenset({"chi-bo-so-7-ba-dinh"}),
        )
    POLICY.check("12345678x9", PHONE, NAME, temporary=False, common=frozenset())


def test_the_shipped_list_holds_only_what_the_length_rule_lets_through() -> None:
    listed = common_passwords()
    assert 8_000 < len(listed) < 10_000
    assert all(len(p) >= POLICY.min_length and p == p.casefold() for p in listed)
    assert {"12345678", "iloveyou", "anhyeuem", "matkhau123"} <= listed


@pytest.mark.parametrize(("min_length", "temporary_min_length"), [(7, 12), (12, 10), (8, 65)])
def test_a_policy_below_nist_or_upside_down_is_refused(
    min_length: int, temporary_min_length: int
) -> None:
    with pytest.raises(ValueError, match="min_length"):
        PasswordPolicy(min_length, temporary_min_length)
