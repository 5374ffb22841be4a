"""The drafter's engine: from article text to proposed statements, chains, sources
and denials, with a confidence on every item. Pure functions, no database.

Each test reads a short article written for it, the way a reviewer would, and
checks what the drafter proposes.
"""

from __future__ import annotations

import pytest

from claimsdb.draft import (
    UnknownExtractor,
    UnknownLanguage,
    draft,
    extractor_names,
    languages,
)
from claimsdb.errors import ClaimsError


def only(result, fragment):
    """The one drafted statement whose content holds ``fragment``."""
    found = [s for s in result.statements if fragment in s.content]
    assert len(found) == 1, [s.content for s in result.statements]
    return found[0]


def chain_of(statement):
    return [(hop.mention, hop.cue) for hop in statement.chain]


def assert_located(text, result):
    """Every span points at the words it names."""
    for statement in result.statements:
        for start, end in statement.parts:
            assert text[start:end] in statement.content
        if statement.kind == "refusal":  # its words are its content, no cue besides
            assert statement.cue_span is None and statement.cue == ""
        else:
            assert text[slice(*statement.cue_span)] == statement.cue
        for hop in statement.chain:
            assert text[slice(*hop.mention_span)] == hop.mention
            if hop.cue_span is not None:
                assert text[slice(*hop.cue_span)] == hop.cue
        assert 0 < statement.confidence <= 1
    for relation in result.relations:
        assert 0 < relation.confidence <= 1
        assert relation.review


# -- direct quotes in every quotation style -------------------------------------------

def test_curly_quote_with_its_speaker_and_cue_after_it():
    text = ("Talks in Istanbul ended without a date for the next round.\n"
            "“We see no progress at all,” Kremlin spokesman Dmitry Peskov told reporters "
            "on Monday.")
    result = draft(text, "en")
    statement = only(result, "We see no progress")
    assert statement.content == "We see no progress at all"
    assert statement.kind == "direct"
    assert statement.cue == "told"
    assert chain_of(statement) == [("Kremlin spokesman Dmitry Peskov", "told")]
    assert statement.chain[0].source_type == "named"
    assert_located(text, result)


def test_quote_after_a_colon_spans_its_sentences():
    text = "Zelensky wrote on Telegram: “The talks are over. We will not go back.”"
    result = draft(text, "en")
    statement = only(result, "The talks are over")
    assert statement.content == "The talks are over. We will not go back."
    assert statement.kind == "direct"
    assert chain_of(statement) == [("Zelensky", "wrote")]


def test_guillemets_and_an_inverted_role_source():
    text = "«Nothing has been agreed yet», said a Kremlin spokesman."
    result = draft(text, "en")
    statement = only(result, "Nothing has been agreed")
    assert statement.kind == "direct"
    assert chain_of(statement) == [("a Kremlin spokesman", "said")]
    assert statement.chain[0].source_type == "role"


def test_straight_quotes_and_a_quote_that_goes_on():
    text = ('"The sanctions will stay," the minister said. "They will stay until the '
            'troops leave."\n'
            'Trade talks resume next week.')
    result = draft(text, "en")
    statement = only(result, "The sanctions will stay")
    assert len(statement.parts) == 2
    assert text[slice(*statement.parts[1])] == "They will stay until the troops leave."
    assert chain_of(statement) == [("the minister", "said")]
    assert "continued in a later quotation" in statement.review
    assert_located(text, result)


def test_a_quote_goes_on_after_a_long_description_of_its_speaker():
    text = ("“The harvest is lost,” said Olena Kovalenko, who heads the farmers’ union "
            "of the Odesa region. “Nobody will insure us now.”\n"
            "“We need help,” a farmer said.")
    result = draft(text, "en")
    statement = only(result, "The harvest is lost")
    assert [text[s:e] for s, e in statement.parts] == ["The harvest is lost",
                                                       "Nobody will insure us now."]
    assert only(result, "We need help").chain[0].mention == "a farmer"
    assert_located(text, result)


def test_a_quote_before_its_speaker_wins_over_words_after_the_cue():
    text = ("“I never doubted the result,” she said two weeks after the vote, and the "
            "count proved her right.")
    statement = only(draft(text, "en"), "I never doubted the result")
    assert statement.kind == "direct"
    assert statement.content == "I never doubted the result"
    assert chain_of(statement) == [("she", "said")]


def test_a_cue_ending_its_line_with_a_colon_takes_the_next_paragraphs_quote():
    text = ("The governor spoke after the flood.\n\nShe said:\n\n"
            "“We will rebuild every bridge. Not one family will be left behind.”\n\n"
            "The session ended at noon.")
    result = draft(text, "en")
    statement = only(result, "We will rebuild every bridge")
    assert statement.content == ("We will rebuild every bridge. Not one family will be "
                                 "left behind.")
    assert statement.kind == "direct"
    assert chain_of(statement) == [("She", "said")]
    assert_located(text, result)


def test_speech_opened_by_a_dash():
    text = "— We will not sign this treaty, — the minister said. — Not this year."
    result = draft(text, "en")
    statement = only(result, "We will not sign this treaty")
    assert statement.kind == "direct"
    assert chain_of(statement) == [("the minister", "said")]
    assert [text[s:e] for s, e in statement.parts] == ["We will not sign this treaty",
                                                       "Not this year."]


def test_speech_opened_by_hyphens_typed_for_dashes():
    text = ("- We are ready to talk, frankly, but not on these terms - Sandu said.\n"
            "- Chișinău wants peace - said Recean, adding: \"Nobody here wants a war.\"")
    result = draft(text, "en")
    first = only(result, "We are ready to talk")
    assert first.kind == "direct"
    assert first.content == "We are ready to talk, frankly, but not on these terms"
    assert chain_of(first) == [("Sandu", "said")]
    peace = only(result, "Chișinău wants peace")
    assert chain_of(peace) == [("Recean", "said")]
    adding = only(result, "Nobody here wants a war")
    assert adding.cue == "adding"
    assert chain_of(adding) == [("Recean", "said")]
    assert_located(text, result)


def test_a_hyphen_list_is_not_speech():
    text = ("- The Times reports that turnout fell - again - in the north.\n"
            "- Polls close at eight.")
    result = draft(text, "en")
    # a dash aside ends the content; nothing is read as a speech turn
    assert [(s.content, s.kind) for s in result.statements] == [("turnout fell", "indirect")]
    assert chain_of(result.statements[0]) == [("The Times", "reports")]


# -- indirect speech --------------------------------------------------------------------

@pytest.mark.parametrize(("text", "content", "source", "cue"), [
    ("The ministry said that the convoy had crossed the border.",
     "the convoy had crossed the border", "The ministry", "said"),
    ("Peskov said the talks were stalled.", "the talks were stalled", "Peskov", "said"),
    ("The talks are stalled, Western officials said.", "The talks are stalled",
     "Western officials", "said"),
    ("According to Bloomberg, the talks have stalled.", "the talks have stalled",
     "Bloomberg", "According to"),
    ("The talks have stalled, according to two diplomats.", "The talks have stalled",
     "two diplomats", "according to"),
    ("Lavrov told his Turkish counterpart that Moscow wanted a ceasefire.",
     "Moscow wanted a ceasefire", "Lavrov", "told"),
    ("Erdogan says Turkey will keep the straits open.", "Turkey will keep the straits open",
     "Erdogan", "says"),
    ("The senator believes the deal will collapse within a month.",
     "the deal will collapse within a month", "The senator", "believes"),
    ("Analysts expect that oil prices will rise again.", "oil prices will rise again",
     "Analysts", "expect"),
    ("The talks, Peskov said, would resume in May.", "would resume in May", "Peskov", "said"),
    ("Sandu, who said the vote had been rigged, left the hall.",
     "the vote had been rigged", "Sandu", "said"),
    ("Most voters said the mayor had done well, compared with a third last year.",
     "the mayor had done well", "Most voters", "said"),
    ("The minister said the bill would pass, but the vote was delayed again.",
     "the bill would pass", "The minister", "said"),
    ("The audit highlights the risk that the grain deal could collapse by spring.",
     "the grain deal could collapse by spring", "The audit", "highlights"),
    ("Kherson’s mayor, Ihor Kolykhaiev, later said the ferry had stopped running.",
     "the ferry had stopped running", "Kherson’s mayor, Ihor Kolykhaiev", "later said"),
])
def test_indirect_speech(text, content, source, cue):
    result = draft(text, "en")
    statement = only(result, content)
    assert statement.kind == "indirect"
    assert statement.chain[0].mention == source
    assert statement.cue == cue
    assert_located(text, result)


def test_indirect_content_leaves_out_that_and_what_follows_a_participle():
    text = ("Carson said he saw no need to change his campaign, telling reporters that "
            "“we tell the truth.”")
    result = draft(text, "en")
    statement = only(result, "he saw no need")
    assert statement.content == "he saw no need to change his campaign"
    telling = only(result, "we tell the truth")
    assert telling.cue == "telling"
    assert telling.chain[0].mention == "Carson"


def test_a_participle_after_an_indirect_content_keeps_its_source():
    text = ("However, the minister also noted that the budget was tight, stating that "
            "the cuts would fall on defence.")
    result = draft(text, "en")
    stating = only(result, "the cuts would fall on defence")
    assert stating.cue == "stating"
    assert chain_of(stating) == [("the minister", "also noted")]
    assert only(result, "the budget was tight").content == "the budget was tight"


def test_a_headline_in_title_case_keeps_its_capitalised_cue():
    text = ("Kyiv Mayor Says Heating Will Return Before Winter\n"
            "The Mayor Said little else. Heating Says nothing here either.")
    result = draft(text, "en")
    statement = only(result, "Heating Will Return Before Winter")
    assert chain_of(statement) == [("Kyiv Mayor", "Says")]
    # in running text a capitalised word is still a name, not a cue
    assert len(result.statements) == 1


def test_adding_after_an_inverted_source_is_a_statement_of_its_own():
    text = ("The grain corridor will stay open, a Turkish official said, adding that the "
            "inspections would resume on Monday.")
    result = draft(text, "en")
    first = only(result, "The grain corridor will stay open")
    assert first.content == "The grain corridor will stay open"
    adding = only(result, "the inspections would resume on Monday")
    assert adding.cue == "adding"
    assert chain_of(adding) == [("a Turkish official", "said")]


def test_beliefs_are_marked_as_such():
    result = draft("The general thinks the offensive will stall before winter.", "en")
    assert only(result, "the offensive will stall").cue_kind == "belief"


# -- chains -------------------------------------------------------------------------------

def test_reported_citing_is_two_hops_nearest_first():
    text = ("Reuters reported, citing three people familiar with the matter, that the "
            "deal was off.")
    statement = only(draft(text, "en"), "the deal was off")
    assert chain_of(statement) == [
        ("Reuters", "reported"), ("three people familiar with the matter", "citing")]
    assert [h.source_type for h in statement.chain] == ["named", "anonymous"]


def test_according_to_which_cited():
    text = "According to Bloomberg, which cited Western officials, the talks have stalled."
    statement = only(draft(text, "en"), "the talks have stalled")
    assert chain_of(statement) == [("Bloomberg", "According to"),
                                   ("Western officials", "which cited")]


def test_according_to_a_source_whose_source_says():
    text = "According to Le Monde, French diplomats say the summit will be postponed."
    statement = only(draft(text, "en"), "the summit will be postponed")
    assert statement.content == "the summit will be postponed"
    assert chain_of(statement) == [("Le Monde", "According to"), ("French diplomats", "say")]
    assert [h.source_type for h in statement.chain] == ["named", "anonymous"]
    # a pronoun or an intention inside is the first source's own statement
    text = "According to the mayor, she plans to close the bridge."
    statement = draft(text, "en").statements[0]
    assert chain_of(statement) == [("the mayor", "According to")]


def test_quoted_by_puts_the_medium_first():
    text = "“There will be no talks,” Peskov said, quoted by RIA Novosti."
    statement = only(draft(text, "en"), "There will be no talks")
    assert chain_of(statement) == [("RIA Novosti", "quoted by"), ("Peskov", "said")]


def test_sources_told_a_news_agency():
    text = "Sources told Reuters that the shipment had been delayed."
    statement = only(draft(text, "en"), "the shipment had been delayed")
    assert chain_of(statement) == [("Reuters", "told"), ("Sources", "told")]
    assert [h.source_type for h in statement.chain] == ["named", "anonymous"]


def test_quoted_as_saying():
    text = "The Times quoted a senior diplomat as saying that the summit was cancelled."
    statement = only(draft(text, "en"), "the summit was cancelled")
    assert chain_of(statement) == [("The Times", "quoted"),
                                   ("a senior diplomat", "as saying")]


# -- sources -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "mention", "source_type"), [
    ("The plan will fail, a senior official who asked not to be named said.",
     "a senior official who asked not to be named", "anonymous"),
    ("People familiar with the matter said the vote would be delayed.",
     "People familiar with the matter", "anonymous"),
    ("Officials said the bridge was closed.", "Officials", "anonymous"),
    ("A Kremlin spokesman said the bridge was closed.", "A Kremlin spokesman", "role"),
    ("The Kremlin said the bridge was closed.", "The Kremlin", "named"),
    ("The White House press office said the bridge was closed.",
     "The White House press office", "role"),
    ("The President said the bridge was closed.", "The President", "role"),
    ("The Washington Post reported that the bridge was closed.", "The Washington Post",
     "named"),
    ("Sen. Marco Rubio (R-Fla.) said the bridge was closed.", "Sen. Marco Rubio (R-Fla.)",
     "named"),
])
def test_source_types(text, mention, source_type):
    statement = draft(text, "en").statements[0]
    assert statement.chain[0].mention == mention
    assert statement.chain[0].source_type == source_type


def test_pronouns_resolve_to_the_nearest_fitting_earlier_mention():
    text = ("Dmitry Peskov spoke to reporters after the meeting. He said that no date "
            "had been set.\n"
            "A Kremlin spokesman later added that the venue was open. The spokesman said "
            "that Istanbul was possible.\n"
            "Western officials were less hopeful. They said the gap was too wide.")
    result = draft(text, "en")
    he = only(result, "no date had been set").chain[0]
    assert he.mention == "He"  # kept as written
    assert he.antecedent.text == "Dmitry Peskov"
    assert text[slice(*he.antecedent.span)] == "Dmitry Peskov"
    assert he.source_type == "named"
    spokesman = only(result, "Istanbul was possible").chain[0]
    assert spokesman.antecedent.text == "A Kremlin spokesman"
    they = only(result, "the gap was too wide").chain[0]
    assert they.antecedent.text == "Western officials"
    assert they.source_type == "anonymous"


def test_a_pronoun_prefers_the_speaker_to_a_name_in_what_was_said():
    text = ("Maria Zakharova said the Polish proposal was absurd. She added that the "
            "talks could resume in Geneva.")
    result = draft(text, "en")
    she = only(result, "the talks could resume").chain[0]
    assert she.antecedent.text == "Maria Zakharova"
    # a name outside what was said is still the nearest fitting one
    text = ("Maria Zakharova said the Polish proposal was absurd. Later, Sikorski "
            "spoke in Warsaw's parliament. He said that the offer stood.")
    he = only(draft(text, "en"), "the offer stood").chain[0]
    assert he.antecedent.text == "Sikorski"


def test_an_unresolved_pronoun_asks_for_review():
    statement = draft("He said the war would end soon.", "en").statements[0]
    assert statement.chain[0].antecedent is None
    assert any("not resolved" in hint for hint in statement.review)


# -- denials -------------------------------------------------------------------------------

def test_a_denial_answers_the_report():
    text = ("The Washington Post reported that Moscow had offered to pause the strikes.\n"
            "Kremlin spokesman Dmitry Peskov denied the report on Tuesday.")
    result = draft(text, "en")
    report = only(result, "Moscow had offered")
    denial = only(result, "the report")
    assert denial.cue_kind == "denial"
    [relation] = result.relations
    assert relation.type == "denies"
    assert result.statements[relation.source] is denial
    assert result.statements[relation.target] is report
    assert "check" in relation.review[0]


def test_dismissed_and_does_not_reflect_reality():
    text = ("Bloomberg reported that the talks had stalled, citing Western officials.\n"
            "Peskov dismissed the report as fiction.\n"
            "“This does not reflect reality,” the ministry said.")
    result = draft(text, "en")
    talks = result.statements.index(only(result, "the talks had stalled"))
    kinds = {(r.type, r.source): r.target for r in result.relations}
    dismissed = result.statements.index(only(result, "the report as fiction"))
    reality = result.statements.index(only(result, "does not reflect reality"))
    assert kinds[("dismisses", dismissed)] == talks
    assert kinds[("denies", reality)] == talks


# -- Russian ----------------------------------------------------------------------------------

RUSSIAN = """Переговоры в Стамбуле зашли в тупик.
«Никакого прогресса нет», — заявил пресс-секретарь президента Дмитрий Песков.
По словам министра иностранных дел, переговоры продолжатся в мае.
По данным агентства Bloomberg, поставки газа сократились вдвое.
Агентство сообщило со ссылкой на источник в правительстве, что встреча отменена.
Министр сказал: „Мы готовы к диалогу“.
Песков отверг эти сведения.
Представитель МИД опроверг сообщения о встрече.
— Это неправда, — заявил Песков. — Никаких переговоров не было.
"""


def test_russian_article():
    result = draft(RUSSIAN, "ru")
    assert_located(RUSSIAN, result)
    progress = only(result, "Никакого прогресса нет")
    assert progress.kind == "direct"
    assert chain_of(progress) == [("пресс-секретарь президента Дмитрий Песков", "заявил")]
    assert progress.chain[0].source_type == "named"

    minister = only(result, "переговоры продолжатся в мае")
    assert chain_of(minister) == [("министра иностранных дел", "По словам")]
    assert minister.chain[0].source_type == "role"

    gas = only(result, "поставки газа сократились вдвое")
    assert chain_of(gas) == [("агентства Bloomberg", "По данным")]

    meeting = only(result, "встреча отменена")
    assert chain_of(meeting) == [("Агентство", "сообщило"),
                                 ("источник в правительстве", "со ссылкой на")]
    assert meeting.chain[1].source_type == "anonymous"

    ready = only(result, "Мы готовы к диалогу")
    assert ready.kind == "direct"
    assert chain_of(ready) == [("Министр", "сказал")]

    untrue = only(result, "Это неправда")
    assert [result.statements[0].content, untrue.content] != []
    assert [RUSSIAN[s:e] for s, e in untrue.parts] == ["Это неправда",
                                                       "Никаких переговоров не было."]

    rejected = only(result, "эти сведения")
    refuted = only(result, "сообщения о встрече")
    assert rejected.cue == "отверг" and refuted.cue == "опроверг"
    denials = {result.statements[r.source].cue for r in result.relations}
    assert {"отверг", "опроверг"} <= denials


def test_russian_pronoun_resolution():
    text = ("Дмитрий Песков провёл брифинг.\n"
            "Он сообщил, что визит не планируется.")
    hop = only(draft(text, "ru"), "визит не планируется").chain[0]
    assert hop.mention == "Он"
    assert hop.antecedent.text == "Дмитрий Песков"


# -- the extractor registry and lexicons ------------------------------------------------------

def test_every_drafted_item_carries_a_confidence():
    result = draft(RUSSIAN, "ru")
    assert result.statements and result.relations
    assert all(0 < s.confidence <= 1 for s in result.statements)
    assert all(0 < r.confidence <= 1 for r in result.relations)
    assert result.extractor == "rules"


def test_extractors_are_chosen_by_name():
    assert "rules" in extractor_names()
    text = "Peskov said the talks were stalled."
    assert draft(text, "en", extractor="rules") == draft(text, "en")


def test_an_unknown_extractor_names_the_known_ones():
    with pytest.raises(UnknownExtractor) as raised:
        draft("Peskov said the talks were stalled.", "en", extractor="bert-large")
    assert isinstance(raised.value, ClaimsError)
    assert "bert-large" in str(raised.value)
    assert "known extractors: rules" in str(raised.value)


def test_languages_come_from_lexicon_files():
    assert {"en", "ru"} <= set(languages())
    assert draft("Peskov said the talks were stalled.", "en-GB").language == "en"
    with pytest.raises(UnknownLanguage, match="known: en, ru"):
        draft("Text.", "xx")


def test_text_without_attribution_drafts_nothing():
    result = draft("The bridge was closed on Monday.\n\nTraffic moved slowly.", "en")
    assert result.statements == ()
    assert result.relations == ()


def test_called_false_and_rejected_are_denials():
    text = ("Bild reported that the minister had resigned.\n"
            "The ministry called the report false.\n"
            "The minister rejected the claims on Friday.")
    result = draft(text, "en")
    report = result.statements.index(only(result, "the minister had resigned"))
    called = result.statements.index(only(result, "the report false"))
    rejected = result.statements.index(only(result, "the claims"))
    kinds = {r.source: (r.type, r.target) for r in result.relations}
    assert kinds[called] == ("dismisses", report)
    assert kinds[rejected] == ("denies", report)


def _benchmark(monkeypatch):
    import importlib.util
    import sys

    from conftest import REPO

    spec = importlib.util.spec_from_file_location("draft_eval", REPO / "bench" / "draft_eval.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look it up
    monkeypatch.setattr(sys, "path", list(sys.path))  # it puts bench/ on the path
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_scores_train_and_dev_only(capsys, monkeypatch):
    """PolNeAR's test split is kept for an independent evaluation."""
    module = _benchmark(monkeypatch)
    with pytest.raises(SystemExit) as raised:
        module.main(["/nonexistent", "--split", "test"])
    assert raised.value.code == 2
    assert "invalid choice: 'test'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as raised:
        module.main(["--no-seed"])  # nothing left to score
    assert raised.value.code == 2


HAND_ANNOTATED = """\
format: claimsdb/article@1.1
article:
  key: ferry-report
  title: Ferry report
  text: |
    Mayor Ihor Terekhov said the ferry would run again in May.
    The crossing is unsafe, officials said.
    Terekhov’s office is closed on Sundays.
actors:
  - {key: terekhov, name: Ihor Terekhov, kind: person, aliases: [Terekhov]}
  - {key: officials, name: City officials, kind: group, identified: role}
  - {key: office, name: Mayor's office, kind: organization}
statements:
  - key: ferry-in-may
    quote: the ferry would run again in May
    chain: [{actor: terekhov, cue: said}]
  - key: crossing-unsafe
    quote: The crossing is unsafe
    chain: [{actor: officials, cue: said, mention: officials}]
  - key: closed-on-sundays
    quote: closed on Sundays
    chain: [{actor: office}]
"""


def test_the_benchmark_scores_drafts_against_a_hand_annotated_file(tmp_path, capsys,
                                                                  monkeypatch):
    """Found: 2 of the 3 attributed statements (nothing drafts the office's hours).
    Chains: the mayor's mention holds the alias, the officials' mention is the hand
    mention, so both match. Identification: the mayor is named as annotated; the
    officials are drafted anonymous where the hand annotation says role."""
    path = tmp_path / "ferry-report.yaml"
    path.write_text(HAND_ANNOTATED, encoding="utf-8")
    module = _benchmark(monkeypatch)
    assert module.main(["--seed-file", str(path), "--json"]) == 0
    import json

    total = json.loads(capsys.readouterr().out)["seed"]["total"]
    assert (total["attributed"], total["found"]) == (3, 2)
    assert (total["chain_exact"], total["source_identified"]) == (2, 1)
    assert total["statement_recall"] == round(2 / 3, 3)
    assert module.main(["--seed-file", str(path)]) == 0
    table = capsys.readouterr().out
    assert "| ferry-report | 3 | 2 | 0.667 (2/3) | 1.000 (2/2) | 0.500 (1/2) | 0 |" in table


def test_a_denial_answers_the_nearest_other_speaker_with_up_to_three_of_their_statements():
    text = ("Reuters reported that the convoy had left Kherson.\n"
            "Reuters reported that the convoy carried fuel.\n"
            "Reuters reported that the convoy was escorted.\n"
            "Reuters reported that the convoy reached the border.\n"
            "Peskov said that the talks would resume in May.\n"
            "Peskov denied the report on Friday.\n"
            "The ministry said that the border was closed.\n"
            "The ministry denied the reports as well.\n")
    result = draft(text, "en")
    index = {s.content: n for n, s in enumerate(result.statements)}
    pairs = {(r.source, r.target) for r in result.relations}
    first_denial = index[next(c for c in index if c.startswith("the report on"))]
    # Peskov answers the nearest statement by someone else: Reuters' last three
    assert {t for s, t in pairs if s == first_denial} == {
        index["the convoy carried fuel"], index["the convoy was escorted"],
        index["the convoy reached the border"]}
    second_denial = index[next(c for c in index if c.startswith("the reports"))]
    # the ministry's own statement is no target; Peskov's is the nearest other one
    assert {t for s, t in pairs if s == second_denial} == {
        index["the talks would resume in May"]}


# -- time phrases are never sources ----------------------------------------------------

def test_a_time_phrase_is_no_pronouns_antecedent():
    text = ("Dmitry Peskov spoke to reporters on Monday, as the talks stalled. "
            "He said that a new round was not planned.")
    statement = only(draft(text, "en"), "a new round")
    assert statement.chain[0].antecedent.text == "Dmitry Peskov"
    text = ("Пресс-секретарь Дмитрий Песков выступил перед журналистами во Вторник, после "
            "встречи. Он сказал, что переговоры окончены.")
    statement = only(draft(text, "ru"), "переговоры окончены")
    assert statement.chain[0].antecedent.text.endswith("Дмитрий Песков")


def test_a_time_phrase_is_no_speaker():
    assert draft("The convoy has left Kherson, said Tuesday.", "en").statements == ()
    statement = only(draft("Russia on Tuesday said that the convoy had left Kherson.", "en"),
                     "the convoy")
    assert chain_of(statement) == [("Russia", "said")]
    statement = only(draft("Earlier this week the mayor said that the bridge was closed.",
                           "en"), "the bridge")
    assert chain_of(statement) == [("the mayor", "said")]
    statement = only(draft("“We will not vote,” Senator Mitch McConnell, R-Ky., said Tuesday.",
                           "en"), "We will not vote")
    assert chain_of(statement) == [("Senator Mitch McConnell", "said")]


@pytest.mark.parametrize(("text", "content", "chain"), [
    ("Russian President Vladimir Putin made “maximalist” demands ahead of the talks, "
     "Bloomberg reported on Tuesday, citing Western security officials.",
     "made “maximalist” demands",
     [("Bloomberg", "reported"), ("Western security officials", "citing")]),
    ("The talks stalled, Reuters said on Monday, citing two diplomats.", "talks stalled",
     [("Reuters", "said"), ("two diplomats", "citing")]),
    ("The talks stalled, Reuters reported last week, quoting a senior official.",
     "talks stalled", [("Reuters", "reported"), ("a senior official", "quoting")]),
    ("“There will be no talks,” Peskov said on Friday, quoted by RIA Novosti.",
     "no talks", [("RIA Novosti", "quoted by"), ("Peskov", "said")]),
    ("Peskov, quoted by RIA Novosti, said the talks were over.", "talks were over",
     [("RIA Novosti", "quoted by"), ("Peskov", "said")]),
    ("Reuters, citing two diplomats, said the talks were over.", "talks were over",
     [("Reuters", "said"), ("two diplomats", "citing")]),
    ("Sources told Reuters on Monday that the shipment had been delayed.", "shipment",
     [("Reuters", "told"), ("Sources", "told")]),
    ("The Times on Tuesday quoted a senior diplomat as saying that the summit was "
     "cancelled.", "summit", [("The Times", "quoted"), ("a senior diplomat", "as saying")]),
])
def test_chains_through_a_time_phrase_or_an_aside(text, content, chain):
    result = draft(text, "en")
    assert chain_of(only(result, content)) == chain
    assert_located(text, result)


@pytest.mark.parametrize("text", [
    "Песков журналистам заявил, что переговоры окончены.",
    "Песков заявил журналистам, что переговоры окончены.",
    "Переговоры окончены, заявил Песков журналистам.",
    "«Переговоры окончены», — сказал Песков журналистам в понедельник.",
])
def test_a_russian_hearer_in_the_dative_is_not_the_source(text):
    result = draft(text, "ru")
    statement = only(result, "ереговоры окончены")
    assert chain_of(statement)[0][0] == "Песков"
    assert_located(text, result)


# -- refusals ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "language", "words", "source"), [
    ("Talks stalled.\nThe Ukrainian foreign ministry declined to comment.", "en",
     "declined to comment", "The Ukrainian foreign ministry"),
    ("The Pentagon did not respond to a request for comment.", "en",
     "did not respond to a request for comment", "The Pentagon"),
    ("Boeing did not immediately respond to requests for comment on Friday.", "en",
     "did not immediately respond to requests for comment", "Boeing"),
    ("The mayor declined to be interviewed.", "en", "declined to be interviewed",
     "The mayor"),
    ("Peskov declined to comment on the report’s details.", "en",
     "declined to comment on the report’s details", "Peskov"),
    ("МИД Украины отказался от комментариев.", "ru", "отказался от комментариев",
     "МИД Украины"),
    ("Пресс-служба Кремля не ответила на запрос.", "ru", "не ответила на запрос",
     "Пресс-служба Кремля"),
])
def test_a_refusal_is_a_statement_of_its_own_kind(text, language, words, source):
    result = draft(text, language)
    [statement] = result.statements
    assert statement.kind == "refusal"
    assert statement.content == words
    assert [hop.mention for hop in statement.chain] == [source]
    assert result.relations == ()
    assert_located(text, result)
