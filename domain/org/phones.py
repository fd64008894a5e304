"""Phone numbers to E.164, Vietnam by default (0912 345 678 -> +84912345678).

What a valid phone number is belongs to the domain (the API and the chibo command both apply it).
``phonenumbers`` is Google's numbering-plan data and parser: no I/O, no framework, so the domain
may use it rather than keep its own copy of the plans.
"""

from __future__ import annotations

import phonenumbers

from domain.errors import RuleViolationError

DEFAULT_REGION = "VN"


def to_e164(raw: str) -> str:
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise RuleViolationError("invalid_phone") from error
    if not phonenumbers.is_valid_number(number):
        raise RuleViolationError("invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
