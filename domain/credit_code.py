"""The unified social credit code check of GB 32100-2015."""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The 18th character for the first 17; ValueError if one is outside the alphabet."""
    if len(first17) != 17:
        raise ValueError("统一社会信用代码前17位长度应为17")
    total = 0
    for char, weight in zip(first17, WEIGHTS, strict=True):
        value = ALPHABET.find(char)
        if value < 0:
            raise ValueError(f"统一社会信用代码含有不允许的字符“{char}”")
        total += value * weight
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why `code` is not a valid credit code, in Chinese, or None when it is valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实际为{len(code)}位"
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        return f"统一社会信用代码含有不允许的字符“{bad[0]}”（不含I、O、S、V、Z及小写字母）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第18位应为“{expected}”，实际为“{code[17]}”"
    return None


def is_valid_credit_code(code: str) -> bool:
    return credit_code_problem(code) is None


SHANGHAI_DIVISIONS = "31"  # GB/T 2260: Shanghai's division codes begin with 31


def shanghai_problem(code: str) -> str | None:
    """Why `code` is not the valid code of a Shanghai unit (Art. 2 本市企事业单位), or None.

    Characters 3–8 are the registering authority's division code. Applied to new input only:
    stored projects and tokens keep loading whatever they hold (docs/regulation.md).
    """
    problem = credit_code_problem(code)
    if problem:
        return problem
    division = code[2:8]
    if not division.startswith(SHANGHAI_DIVISIONS):
        return (
            f"统一社会信用代码第3–8位为登记管理机关行政区划码，此处为“{division}”，不是上海市"
            "（应以“31”开头）；本办法只适用于本市企事业单位"
        )
    return None
