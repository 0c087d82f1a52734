"""The unified social credit code check (GB 32100-2015, docs/regulation.md)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.credit_code import (
    ALPHABET,
    WEIGHTS,
    check_character,
    credit_code_problem,
    is_valid_credit_code,
)

VALID = "91350100M000100Y43"


def test_alphabet_and_weights_are_those_of_the_standard() -> None:
    assert ALPHABET == "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert len(ALPHABET) == 31
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_domain_example_is_valid() -> None:
    assert credit_code_problem(VALID) is None
    assert is_valid_credit_code(VALID)


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("91350100M000100Y4", "3"),
        ("9144030071526726X", "G"),
        ("91330100716105852", "F"),
        ("91440300192203821", "6"),
        ("91110108551385082", "Q"),
        ("00000000000000000", "0"),
    ],
)
def test_check_character_of_known_codes(first17: str, check: str) -> None:
    assert check_character(first17) == check
    assert is_valid_credit_code(first17 + check)


def test_check_character_follows_the_weighted_sum_formula() -> None:
    # 1 followed by zeros: sum = 1 × 1 → (31 − 1) mod 31 = 30 → "Y".
    assert check_character("1" + "0" * 16) == "Y"
    # Last position only: value 1 × weight 28 → 31 − 28 = 3.
    assert check_character("0" * 16 + "1") == "3"


def test_check_character_rejects_wrong_length() -> None:
    with pytest.raises(ValueError, match="17"):
        check_character("91350100M000100Y")


def test_check_character_rejects_forbidden_character() -> None:
    with pytest.raises(ValueError, match="“I”"):
        check_character("91350100I000100Y4")


def test_wrong_check_character_names_expected_and_actual() -> None:
    problem = credit_code_problem("91350100M000100Y44")
    assert problem is not None
    assert "校验位" in problem
    assert "“3”" in problem
    assert "“4”" in problem
    assert not is_valid_credit_code("91350100M000100Y44")


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", ""])
def test_wrong_length_is_a_problem_naming_the_length(code: str) -> None:
    problem = credit_code_problem(code)
    assert problem is not None
    assert "18位" in problem
    assert f"实际为{len(code)}位" in problem


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z", "m"])
def test_forbidden_letters_are_a_problem_naming_the_letter(letter: str) -> None:
    code = VALID[:8] + letter + VALID[9:]
    problem = credit_code_problem(code)
    assert problem is not None
    assert "不允许的字符" in problem
    assert f"“{letter}”" in problem


def test_lowercase_form_of_a_valid_code_is_invalid() -> None:
    problem = credit_code_problem(VALID.lower())
    assert problem is not None
    assert "小写字母" in problem


prefixes = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


@given(prefix=prefixes)
def test_prefix_plus_its_check_character_is_valid(prefix: str) -> None:
    assert is_valid_credit_code(prefix + check_character(prefix))


@given(prefix=prefixes, data=st.data())
def test_any_other_eighteenth_character_is_invalid(prefix: str, data: st.DataObject) -> None:
    right = check_character(prefix)
    wrong = data.draw(st.sampled_from([c for c in ALPHABET if c != right]))
    problem = credit_code_problem(prefix + wrong)
    assert problem is not None
    assert f"“{right}”" in problem
