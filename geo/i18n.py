"""Translation: the one helper that ``geo/``, ``layers/`` and ``ui/`` use for user-facing text.

BeatMap speaks Simplified Chinese by default and English on request. Texts live in catalogues
next to the code that shows them, so a translator finds every pair of a module in one place::

    from geo.i18n import Catalogue

    T = Catalogue(
        {
            "title": ("覆盖率", "Coverage"),
            "stops": ("{n} 站", "{n} stops"),
        }
    )
    T("stops", lang, n=12)   # "12 站" / "12 stops"

A one-off pair that has no place in a catalogue uses :func:`tr`. Pages do not pass ``lang``:
``ui.i18n.t`` and ``ui.i18n.texts`` read the session's language and call these functions.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def check_language(lang: str) -> str:
    """Return ``lang`` when it is a known language code, else raise ``ValueError`` listing them."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {lang!r}")
    return lang


def tr(zh: str, en: str, lang: str, **fmt: object) -> str:
    """Pick the Chinese or English text for ``lang`` (anything but ``"en"`` reads Chinese).

    Keyword arguments fill ``{name}`` fields of the chosen text.
    """
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


class Catalogue(Mapping[str, tuple[str, str]]):
    """A module's texts: key -> (Chinese, English).

    Calling it picks the text for a language; a missing key raises ``KeyError`` naming the key
    and the keys the catalogue has, so a typo fails loudly in tests.
    """

    def __init__(self, texts: Mapping[str, tuple[str, str]]) -> None:
        bad = [k for k, v in texts.items() if not (isinstance(v, tuple) and len(v) == 2)]
        if bad:
            raise ValueError(f"catalogue entries must be (zh, en) pairs: {bad}")
        self._texts = dict(texts)

    def __call__(self, key: str, lang: str, **fmt: object) -> str:
        try:
            zh, en = self._texts[key]
        except KeyError:
            raise KeyError(f"no text {key!r}; known: {sorted(self._texts)}") from None
        return tr(zh, en, lang, **fmt)

    def __getitem__(self, key: str) -> tuple[str, str]:
        return self._texts[key]

    def __iter__(self):
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def merged(self, other: Mapping[str, tuple[str, str]]) -> Catalogue:
        """A new catalogue with ``other``'s entries added (``other`` wins on a shared key)."""
        return Catalogue({**self._texts, **dict(other)})
