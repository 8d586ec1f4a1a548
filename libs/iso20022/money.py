"""ISO 20022 amounts (decimal text with a currency) to and from minor units."""

from __future__ import annotations

from decimal import Decimal

# ISO 4217 currencies whose minor unit is not the cent; every other currency has two decimals.
_EXPONENTS = {
    **dict.fromkeys(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV"], 0),
    **dict.fromkeys(["XAF", "XOF", "XPF"], 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
}


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


def to_minor(amount: Decimal, currency: str) -> int | None:
    """`amount` in minor units, None when it has more decimals than the currency has."""
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def to_text(minor: int, currency: str) -> str:
    """Minor units as the decimal text ISO 20022 amounts take (`12.50`)."""
    places = exponent(currency)
    value = Decimal(minor).scaleb(-places)
    return f"{value:.{places}f}"
