"""Who a drafted source is: the name an actor gets from the words that mention it,
and the kind guessed from them (``claimsdb.draft.actors``). Pure: no database."""

from __future__ import annotations

import pytest

from claimsdb.draft.actors import Cast, KnownActor, guess_kind, name_of
from claimsdb.draft.lexicon import load
from claimsdb.draft.results import Antecedent, DraftHop


@pytest.mark.parametrize(("language", "mention", "source_type", "name"), [
    ("en", "Kremlin spokesman Dmitry Peskov", "named", "Dmitry Peskov"),
    ("en", "Foreign ministry spokeswoman Maria Zakharova", "named", "Maria Zakharova"),
    ("en", "The Washington Post", "named", "The Washington Post"),
    ("en", "Sen. Marco Rubio (R-Fla.)", "named", "Marco Rubio"),
    ("en", "President Vladimir Putin", "named", "Vladimir Putin"),
    ("en", "Secretary of State Antony J. Blinken", "named", "Antony J. Blinken"),
    ("en", "Ministry of Defence", "named", "Ministry of Defence"),
    ("en", "Bali’s governor, Wayan Koster", "named", "Wayan Koster"),
    ("en", "The Indonesian health ministry", "named", "Indonesian health ministry"),
    ("en", "a senior official who asked not to be named", "anonymous", "Senior official"),
    ("en", "Two officials, who spoke on condition of anonymity,", "anonymous", "Officials"),
    ("en", "three people familiar with the matter", "anonymous",
     "People familiar with the matter"),
    ("en", "one of them", "role", "One of them"),
    ("ru", "пресс-секретарь президента Дмитрий Песков", "named", "Дмитрий Песков"),
    ("ru", "пресс-секретарь президента Дмитрий Сергеевич Песков", "named",
     "Дмитрий Сергеевич Песков"),
    ("ru", "представитель МИД Украины Георгий Тихий", "named", "Георгий Тихий"),
    ("ru", "Песков журналистам", "named", "Песков"),
    ("ru", "агентства Bloomberg", "named", "Bloomberg"),
    ("ru", "Министерство обороны", "named", "Министерство обороны"),
    ("ru", "Служба безопасности Украины", "named", "Служба безопасности Украины"),
    ("ru", "источник в правительстве", "anonymous", "Источник в правительстве"),
    ("en", "Kremlin’s", "named", "Kremlin"),
    ("en", "Peskov's", "named", "Peskov"),
])
def test_the_name_a_mention_gives(language, mention, source_type, name):
    assert name_of(mention, source_type, load(language)) == name


@pytest.mark.parametrize(("words", "kind"), [
    ("Reuters", "outlet"), ("агентства Bloomberg", "outlet"), ("The ministry", "government"),
    ("Министерство обороны", "government"), ("a Kremlin spokesman", "person"),
    ("Western officials", "group"), ("источники в правительстве", "group"),
    ("источник в правительстве", "person"), ("NATO", "organization"),
    ("Dmitry Peskov", None), ("Moscow", "government"), ("Москва", "government"),
])
def test_kind_guessed_from_the_words(words, kind):
    assert guess_kind(words) == kind


def hop(mention, source_type="named", antecedent=None):
    return DraftHop(mention, None, "said", None, source_type, antecedent)


def test_stored_actors_are_found_by_key_name_or_alias_whatever_the_case():
    cast = Cast([KnownActor("peskov", "Dmitry Peskov", "person", aliases=("Peskov",)),
                 KnownActor("bloomberg", "Bloomberg", "outlet", aliases=("Bloomberg News",))],
                load("en"))
    assert cast.cast(hop("Kremlin spokesman Dmitry  PESKOV")).key == "peskov"
    assert cast.cast(hop("peskov")).key == "peskov"
    assert cast.cast(hop("bloomberg news")).key == "bloomberg"
    assert cast.cast(hop("He", antecedent=Antecedent("Dmitry Peskov", (0, 13)))).key == "peskov"
    assert not cast.new and set(cast.reused) == {"peskov", "bloomberg"}


def test_a_stored_actor_named_less_here_keeps_its_identification_and_the_hop_says_so():
    cast = Cast([KnownActor("peskov", "Dmitry Peskov", "person")], load("en"))
    casting = cast.cast(hop("Dmitry Peskov"))
    assert (casting.key, casting.identified) == ("peskov", None)
    officials = Cast([KnownActor("officials", "Officials", "group", "anonymous")], load("en"))
    assert officials.cast(hop("Officials", "role")).identified == "role"


def test_new_keys_never_take_a_stored_one():
    cast = Cast([KnownActor("lavrov", "Sergey Lavrov", "person")], load("en"))
    key = cast.cast(hop("Lavrov Institute", "named")).key
    assert key == "lavrov-institute"
    assert cast.define("Lavrov", "person", "named") == "lavrov-2"


def test_a_date_taken_for_a_source_is_pointed_out():
    cast = Cast([], load("en"))
    assert "«Tuesday» looks like a date, not a source: set the actor" in cast.cast(
        hop("Tuesday")).checks
    assert not cast.cast(hop("Dmitry Peskov")).checks
