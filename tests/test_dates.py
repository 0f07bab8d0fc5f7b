"""Date rules on invented French sentences: the publication date read from the text, years recovered from
context, the day of the happening reported, and dates the text looks forward to."""

from __future__ import annotations

from datetime import date

import pytest

from recoupe.config import Config
from recoupe.records import Article
from recoupe.stories.dates import DateReader, complete_published, event_dates


@pytest.fixture(scope="module")
def reader(config: Config) -> DateReader:
    return DateReader(config)


def test_a_dateline_dates_the_text_whatever_else_it_names(reader: DateReader) -> None:
    text = "12 mars 2025. - Le conseil a voté le budget. La prochaine séance aura lieu le 30 avril 2025."
    dating = reader.dating(text)
    assert dating.published == date(2025, 3, 12) and dating.inferred and dating.settled


def test_a_relative_word_beside_a_date_gives_the_day_of_writing(reader: DateReader) -> None:
    text = "La ministre a annoncé hier, jeudi 15 mai 2025, la fermeture de la ligne de Bellerive."
    assert reader.dating(text).published == date(2025, 5, 16)


def test_this_weekday_is_the_day_of_writing_after_the_latest_date(reader: DateReader) -> None:
    text = "Après la réunion de mardi 11 mars 2025, les délégués se retrouvent ce jeudi à Valmer."
    dating = reader.dating(text)
    assert dating.published == date(2025, 3, 13) and dating.happening == date(2025, 3, 13)


def test_a_date_written_without_its_weekday_is_a_week_old_or_more(reader: DateReader) -> None:
    # Had it been two days earlier, the text would say "mardi": "ce jeudi" is the week after.
    text = "Après la réunion du 11 mars 2025, les délégués se retrouvent ce jeudi à Valmer."
    assert reader.dating(text).published == date(2025, 3, 20)
    text = "Après la réunion du 11 mars dernier, les délégués se retrouvent ce jeudi à Valmer."
    assert reader.dating(text, near=date(2025, 3, 1)).published == date(2025, 3, 13)


def test_a_weekday_and_day_number_recover_the_year(reader: DateReader) -> None:
    text = "Le plan avait été présenté en 2024. Mardi 4 février, le maire l'a retiré."
    assert reader.dating(text).published == date(2025, 2, 4)  # 4 February is a Tuesday in 2025


def test_this_weekday_with_its_date_is_one_mention(reader: DateReader) -> None:
    mentions = reader.mentions("Le comité se réunit ce mercredi 4 juin, a précisé la mairie.", date(2025, 6, 4))
    assert [(m.day, m.today) for m in mentions] == [(date(2025, 6, 4), True)]


def test_a_date_without_year_takes_the_year_nearest_a_reference(reader: DateReader) -> None:
    text = "Les deux délégations s'étaient déjà vues le 18 février. Ce jeudi, elles ont repris les discussions."
    near = reader.dating(text, near=date(2025, 1, 24))
    assert near.published == date(2025, 2, 27) and near.settled  # a Thursday, a week or more after 18 February 2025
    alone = reader.dating(text + " Le différend remonte à 2019.")
    assert alone.published == date(2019, 2, 28) and not alone.settled  # only a guess from the years named


def test_a_text_that_looks_forward_is_not_dated_by_that_date(reader: DateReader) -> None:
    dating = reader.dating("Le nouveau pont, dont l'ouverture est prévue le 3 avril 2025, divise les riverains.")
    assert dating.published is None and dating.before == date(2025, 4, 3)


def test_the_happening_is_the_day_the_lead_reports(reader: DateReader) -> None:
    # Published on Saturday, reporting on Friday.
    assert reader.dating("Le maire de Valmer a démissionné vendredi.", "2025-03-08").happening == date(2025, 3, 7)
    # A dateline dates the writing; the happening is what the lead says.
    text = "12 mars 2025. - Le conseil municipal a voté hier la hausse des tarifs."
    assert reader.dating(text).happening == date(2025, 3, 11)
    # A date of the past week written without its weekday is background; with it, the happening.
    assert reader.dating("Le scrutin du 6 mars a été validé.", "2025-03-08").happening == date(2025, 3, 8)
    assert reader.dating("Le scrutin de jeudi 6 mars a été validé.", "2025-03-08").happening == date(2025, 3, 6)
    # A date far from publication in the lead is background, not the happening.
    text = "Depuis le 3 janvier, la grève paralyse le port."
    assert reader.dating(text, "2025-03-08").happening == date(2025, 3, 8)


def test_last_and_next_fix_the_direction(reader: DateReader) -> None:
    text = "Le texte voté le 20 février dernier sera examiné jeudi prochain puis le 2 mars prochain."
    days = event_dates(text, "2025-02-25", reader)
    assert days == ["2025-02-20"]  # the two dates ahead are not happenings
    found = reader.mentions(text, date(2025, 2, 25))
    assert [m.day for m in found] == [date(2025, 2, 20), date(2025, 2, 27), date(2025, 3, 2)]


def test_complete_published_marks_a_date_read_from_the_text(reader: DateReader) -> None:
    article = Article(id="a", source="a", text="Le conseil s'est réuni le 4 juin 2025.", content_hash="a")
    complete_published(article, reader)
    assert article.published == "2025-06-04" and article.published_inferred
    undated = Article(id="b", source="b", text="Le conseil s'est réuni jeudi.", content_hash="b")
    complete_published(undated, reader)
    assert undated.published is None and not undated.published_inferred


def test_a_starting_point_dates_neither_the_text_nor_its_happening(reader: DateReader) -> None:
    text = "Le port de Valmer est bloqué depuis le 3 mars 2025. Les dockers ont rencontré le préfet jeudi."
    assert reader.dating(text).published is None
    text = "La grève dure depuis vendredi. Le préfet a reçu les dockers hier."
    assert reader.dating(text, "2025-03-12").happening == date(2025, 3, 11)


def test_a_guessed_year_is_the_one_the_text_names_most(reader: DateReader) -> None:
    text = "Le 9 juin, la saison 2024 a débuté. L'édition 2024 durera jusqu'en 2026, puis le site fermera en 2024."
    assert reader.dating(text).published == date(2024, 6, 9)


def test_a_reader_gives_each_text_its_own_dates_whatever_it_read_before(config: Config) -> None:
    texts = [
        "Paris, 3 février 2025. - Le maire a inauguré hier la passerelle. Les travaux avaient commencé le 2 mai 2023.",
        "La grève a commencé lundi 10 mars 2025 et doit durer jusqu'au 14 mars.",
        "Le tribunal rendra sa décision le 30 juin 2025.",
    ]
    once = [(DateReader(config).dating(t), event_dates(t, None, DateReader(config))) for t in texts]
    shared = DateReader(config)
    for _ in range(3):  # in turn, with the leads read between them, as the pipeline and the clusterer do
        for text, (dating, mentioned) in zip(texts, once, strict=True):
            assert shared.dating(text) == dating
            assert shared.dating(text, "2025-03-12") == DateReader(config).dating(text, "2025-03-12")
            assert event_dates(text, None, shared) == mentioned


def test_a_page_address_dates_the_text(reader: DateReader) -> None:
    text = "Le maire de Valmer a démissionné lundi soir."
    for url in (
        "https://journal.example/2025/03/11/valmer-le-maire-demissionne",
        "https://journal.example/politique/20250311-valmer-le-maire-demissionne",
        "https://journal.example/valmer-le-maire-demissionne-11-mars-2025",
    ):
        dating = reader.dating(text, url=url)
        assert dating.published == date(2025, 3, 11) and dating.happening == date(2025, 3, 10), url
    # A long number is an id, not a day.
    assert reader.dating(text, url="https://journal.example/valmer/12025031145").published is None


def test_an_agency_dateline_without_year_takes_the_month_of_the_metadata(reader: DateReader) -> None:
    text = "Le port bloqué\n\nVALMER, 4 mars (Agence) - Les dockers ont voté la grève dans la nuit."
    dating = reader.dating(text, "2025-03")
    assert dating.published == date(2025, 3, 4) and dating.settled


def test_a_weekday_date_takes_the_year_of_the_metadata_month_before_the_years_named(reader: DateReader) -> None:
    text = "Le maire a été réélu ce dimanche 30 mars, comme en 2019 et en 2020."
    assert reader.dating(text, "2025-03").happening == date(2025, 3, 30)


def test_a_date_opening_the_lead_is_its_happening(reader: DateReader) -> None:
    text = "Le 3 mars, le conseil a voté la fusion des deux communes. Elle prendra effet en juin."
    assert reader.dating(text, "2025-03-05").happening == date(2025, 3, 3)


def test_an_address_number_that_opens_with_a_day_dates_the_text(reader: DateReader) -> None:
    text = "Le maire de Valmer a démissionné lundi soir."
    for url in (
        "https://journal.example/politique/valmer-le-maire-demissionne_AV-202503110068.html",
        "https://journal.example/politique/202503111044518532-valmer-le-maire-demissionne/",
    ):
        assert reader.dating(text, url=url).happening == date(2025, 3, 10), url


def test_an_ambiguous_address_number_is_read_only_within_the_month_of_the_metadata(reader: DateReader) -> None:
    text = "Le maire de Valmer a démissionné lundi soir."
    short = "https://journal.example/politique/110325/valmer-le-maire-demissionne"  # 11 March 2025, day first
    assert reader.dating(text, "2025-03", url=short).published == date(2025, 3, 11)
    assert reader.dating(text, None, url=short).published is None  # or 25 March 2011, year first
    assert reader.dating(text, "2025-05", url=short).published is None  # neither is in May
    unix = "https://journal.example/valmer-le-maire-demissionne-1741694400"  # 11 March 2025, 12:00 UTC
    assert reader.dating(text, "2025-03", url=unix).happening == date(2025, 3, 10)
    assert reader.dating(text, None, url=unix).published is None


def test_dates_listed_after_a_scheduled_one_are_ahead_too(reader: DateReader) -> None:
    text = "Le président a dissous l'assemblée. Les élections se tiendront le 29 juin et le 6 juillet."
    found = reader.mentions(text, None, date(2025, 6, 15))
    assert [(m.day, m.future) for m in found] == [(date(2025, 6, 29), True), (date(2025, 7, 6), True)]
    assert reader.dating(text, "2025-06").published is None
    text = "Le pont a rouvert le 2 juin, puis le 9 juin la route a été goudronnée."
    assert not any(m.future for m in reader.mentions(text, date(2025, 6, 12)))


def test_the_lead_date_bounds_the_day_of_writing(reader: DateReader) -> None:
    # The date written further on, a fortnight later, is a schedule given without a cue.
    text = "Le président a annoncé, dimanche 8 juin 2025, la dissolution. Le second tour, le 22 juin 2025."
    dating = reader.dating(text)
    assert dating.published == date(2025, 6, 8) and dating.happening == date(2025, 6, 8)


def test_the_day_of_writing_lies_in_the_month_of_the_metadata(reader: DateReader) -> None:
    text = "Le président a dissous l'assemblée dimanche. Les candidats ont jusqu'au 20 juin; vote le 6 juillet."
    assert reader.dating(text, "2025-06").published is None


def test_this_weekday_on_the_day_of_a_date_written_bare_is_that_day(reader: DateReader) -> None:
    # 4 March 2025 is a Tuesday: the dateline and "ce mardi" name one day.
    text = "Le port bloqué\n\n4 mars 2025\n\nLes dockers ont voté la grève ce mardi à Valmer."
    dating = reader.dating(text)
    assert dating.published == date(2025, 3, 4) and dating.happening == date(2025, 3, 4)


def test_the_lead_is_past_the_headline(reader: DateReader) -> None:
    text = "Valmer : le maire démissionne\n\nLe maire de Valmer a démissionné vendredi, a annoncé la préfecture."
    assert reader.dating(text, "2025-03-08").happening == date(2025, 3, 7)


def test_a_weekday_confirms_a_year_the_text_names(reader: DateReader) -> None:
    text = "Le festival 2025 de Valmer s'est ouvert mardi 4 février devant la mairie."
    dating = reader.dating(text)
    assert dating.published == date(2025, 2, 4) and dating.settled
    text = "Le festival de Valmer, né en 2024, s'est ouvert mardi 4 février."  # a Tuesday in 2025, not 2024
    assert not reader.dating(text).settled


def test_a_weekday_date_takes_the_year_of_the_texts_own_full_date(reader: DateReader) -> None:
    text = "Le nageur a gagné dimanche 8 juin 2025 la finale. Il nagera à nouveau mercredi 11 juin, à 11 heures."
    dating = reader.dating(text)
    assert dating.settled and dating.happening == date(2025, 6, 8)


def test_a_starting_point_with_its_weekday_places_this_weekday(reader: DateReader) -> None:
    text = "Le port est bloqué depuis mardi 4 mars 2025. Le préfet a reçu les dockers ce jeudi à Valmer."
    dating = reader.dating(text)
    assert dating.published == date(2025, 3, 6) and dating.happening == date(2025, 3, 6)


def test_a_lead_weekday_date_that_fits_none_of_the_texts_years_leaves_the_text_unsettled(
    reader: DateReader,
) -> None:
    # 4 June is a Wednesday in 2025, not near 2019, the only year written: the text's time is unknown.
    text = "Le maire a démissionné mercredi 4 juin. Il avait été élu le 23 mars 2019 à Valmer."
    assert not reader.dating(text).settled
    assert reader.dating(text, near=date(2025, 5, 20)).happening == date(2025, 6, 4)


def test_a_lead_day_written_with_its_weekday_comes_before_a_weekday_named_after_it(reader: DateReader) -> None:
    text = "Le maire a présenté mercredi 16 avril le plan du nouveau pont, détruit lundi soir par la crue."
    assert reader.dating(text, "2025-04-17").happening == date(2025, 4, 16)
    # A day named relative to the writing still comes first.
    text = "Le maire a présenté hier le plan du nouveau pont, après la réunion de lundi 14 avril."
    assert reader.dating(text, "2025-04-17").happening == date(2025, 4, 16)


def test_a_guessed_year_is_no_stored_publication_date(reader: DateReader) -> None:
    # 4 February is a Tuesday in 2025, beside the 2024 the text names: a guess, not a fact.
    text = "Le plan avait été présenté en 2024. Mardi 4 février, le maire l'a retiré."
    assert not reader.dating(text).settled
    article = Article(id="a", source="a", text=text, content_hash="a")
    complete_published(article, reader)
    assert article.published is None and not article.published_inferred
    complete_published(article, reader, near=date(2025, 1, 20))  # the story's dates settle it
    assert article.published == "2025-02-04" and article.published_inferred


def test_english_weekdays_resolve_against_the_publication_date(config: Config) -> None:
    english = DateReader(config.with_overrides(language="en"))
    # Published on Thursday 6 March 2025.
    assert english.dating("The mayor of Valmer resigned on Monday, the council said.", "2025-03-06").happening == (
        date(2025, 3, 3)
    )
    assert english.dating("Last Tuesday the dockers walked out.", "2025-03-06").happening == date(2025, 3, 4)
    assert english.dating("The strike began yesterday.", "2025-03-06").happening == date(2025, 3, 5)
    text = "The port will reopen next Tuesday, the mayor said on Wednesday."
    dating = english.dating(text, "2025-03-06")
    assert dating.happening == date(2025, 3, 5)
