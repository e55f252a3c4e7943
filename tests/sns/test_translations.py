"""The Japanese catalogue as a whole: counted strings that read well for every number (Japanese
has one plural form), and one word for one thing.

Read from locale/ja/LC_MESSAGES/django.po, the source, and translated through Django with the
compiled catalogue, as the pages are.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def entries(path: Path = PO) -> list[dict[str, str]]:
    """The catalogue's entries (not the obsolete ones), each {"msgctxt", "msgid",
    "msgid_plural", "msgstr[0]", ...: text}."""
    found = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            head = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")$", line)
            if head:
                key = head.group(1)
                entry[key] = ast.literal_eval(head.group(2))
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if entry.get("msgid"):
            found.append(entry)
    return found


COUNTED = [entry for entry in entries() if "msgid_plural" in entry]


def test_japanese_has_one_plural_form():
    header = PO.read_text(encoding="utf-8").split("\n\n")[0]
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in header
    assert COUNTED, "no counted strings found: is the catalogue read right?"


@pytest.mark.parametrize("entry", COUNTED, ids=[entry["msgid"][:40] for entry in COUNTED])
def test_every_counted_string_reads_well_in_japanese(entry):
    names = re.findall(r"%\((\w+)\)[sd]", entry["msgid_plural"])
    for n in [1, 2, 7]:
        with translation.override("ja"):
            template = translation.ngettext(entry["msgid"], entry["msgid_plural"], n)
        said = template % {name: n for name in names}
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", said), f"not translated: {said}"
        assert "%(" not in said
        assert str(n) in said, said
        # The same number and counter twice in a row: 「1人1人まで」.
        assert not re.search(r"(?<!\d)(\d+)([^\d\s%])\1\2", said), said


# The site's words, and the variants that crept in beside them: 友だち (not マイミク, the name
# of another site's friends, nor 友達), オフ会's 幹事 and ゲスト (not 主催者, 同伴者).
VARIANTS = {"マイミク": "友だち", "友達": "友だち", "主催者": "幹事", "同伴者": "ゲスト"}


def test_one_word_for_one_thing():
    said = {variant: [entry["msgid"] for entry in entries()
                      if any(variant in text for key, text in entry.items()
                             if key.startswith("msgstr"))]
            for variant in VARIANTS}
    assert {variant: msgids for variant, msgids in said.items() if msgids} == {}
