"""A contact's name survives every trip between the CRMs: Chinese, western and mixed names.

Zoho holds the parts (First_Name, Last_Name), Fxiaoke one full name; the canonical record holds
both. pull(push(x)) == x in each CRM, and a name that went Zoho → Fxiaoke → Zoho keeps its
parts: the full name composed for Fxiaoke splits back into them (it once alternated between
'Xie 芳' and '芳 Xie' on every sync).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapping.maps import Mapper
from mapping.model import Contact
from mapping.transforms import join_person_name, split_person_name

NAMES = settings(
    max_examples=150, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)  # fmt: skip

_HANZI = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉阳马葛"
hanzi_given = st.text(alphabet=_HANZI, min_size=1, max_size=3)
# single and compound surnames, and single ones that run into a compound with the given name
# (欧 + 阳娜 is not 欧阳 + 娜), and a two-character non-compound one (山田)
hanzi_surname = st.sampled_from(
    ["张", "王", "谢", "欧", "司", "诸", "欧阳", "司马", "诸葛", "山田"]
)
latin_word = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True).filter(
    lambda w: w.casefold() not in {"jr", "sr", "ii", "iii", "iv"}
)
latin_given = st.lists(latin_word, min_size=1, max_size=2).map(" ".join)
# plain, two-word (Garcia Lopez) and with a particle (van Beethoven)
latin_family = st.one_of(
    latin_word,
    st.lists(latin_word, min_size=2, max_size=2).map(" ".join),
    latin_word.map(lambda w: f"van {w}"),
)
given_names = st.one_of(hanzi_given, latin_given)
family_names = st.one_of(hanzi_surname, latin_family)


@NAMES
@given(given_names, family_names)
def test_a_joined_name_splits_back_into_its_parts(first: str, last: str) -> None:
    assert split_person_name(join_person_name(first, last)) == (first, last)


@NAMES
@given(st.one_of(given_names, family_names))
def test_a_part_alone_is_written_alone(part: str) -> None:
    assert join_person_name(None, part) == join_person_name(part, "") == part


# a family name alone that reads as one (张伟 or Garcia Lopez alone read as given + family: a
# name typed whole into Zoho's Last_Name reaches Fxiaoke whole and comes back split, once)
lone_family = st.one_of(st.sampled_from(["张", "谢", "欧阳", "诸葛"]), latin_word)


@NAMES
@given(st.one_of(st.tuples(given_names, family_names), st.tuples(st.none(), lone_family)))
def test_each_crm_reads_back_what_it_was_given(
    zoho: Mapper, fxiaoke: Mapper, parts: tuple[str | None, str]
) -> None:
    first, last = parts
    contact = Contact(first_name=first, last_name=last)
    for mapper in (zoho, fxiaoke):
        back = mapper.pull("contact", mapper.push("contact", contact))
        assert back.model_dump(mode="json") == contact.model_dump(mode="json")


@NAMES
@given(given_names, family_names)
def test_zoho_parts_through_fxiaoke_and_back(
    zoho: Mapper, fxiaoke: Mapper, first: str, last: str
) -> None:
    from_zoho = zoho.pull("contact", {"id": "1", "First_Name": first, "Last_Name": last})
    in_fxiaoke = fxiaoke.pull("contact", {"_id": "f1", **fxiaoke.push("contact", from_zoho)})
    assert (in_fxiaoke.first_name, in_fxiaoke.last_name, in_fxiaoke.full_name) == (
        first, last, from_zoho.full_name,
    )  # fmt: skip
    again = zoho.pull("contact", {"id": "1", **zoho.push("contact", in_fxiaoke)})
    assert again.model_dump(mode="json") == from_zoho.model_dump(mode="json")
