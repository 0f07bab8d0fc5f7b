"""The clustering model: pair features on invented profiles, the fitted models read as rule data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from recoupe.config import RULES_DIR, Config
from recoupe.records import Analysis, Article, Entity, stable_id
from recoupe.store import Store
from recoupe.stories.cluster import Clusterer
from recoupe.stories.features import (
    EVENT_FEATURES,
    STORY_FEATURES,
    ClusteringModel,
    LinkModel,
    Profile,
    event_features,
    load_model,
    numbers_of,
    story_features,
)


def profile(entities: set[str], day: date | None = None, weekday: int | None = None) -> Profile:
    return Profile({"grève": 0.8, "port": 0.6}, entities, day, {"grève": 1.0}, weekday=weekday, numbers={"450"})


def test_every_language_has_a_fitted_model_or_the_shared_one() -> None:
    for language in ("fr", "en", "pt"):  # pt has no clustering.toml: the shared model
        model = load_model(RULES_DIR, language)
        assert model.story.names == STORY_FEATURES and model.event.names == EVENT_FEATURES
        assert 0 < model.story.threshold < 1 and 0 < model.event.threshold < 1


def test_a_model_file_without_a_weight_is_an_error_naming_it(tmp_path: Path) -> None:
    model = load_model(RULES_DIR, "fr").to_dict()
    del model["event"]["weights"]["same_day"]
    with pytest.raises(ValueError, match="same_day"):
        ClusteringModel.from_dict(model, "clustering.toml")
    with pytest.raises(ValueError, match="threshold"):
        LinkModel(("terms",), (1.0,), 0.0, 1.5)


def test_shared_words_names_and_days_raise_the_probability_of_a_join() -> None:
    model = load_model(RULES_DIR, "fr")
    state = {"centroid": {"grève": 0.8, "port": 0.6}, "headline": {"grève": 1.0}, "entities": {"loc:valmer": 2}}
    same = event_features(profile({"loc:valmer"}, date(2025, 3, 4)), state, date(2025, 3, 4))
    later = event_features(profile({"loc:valmer"}, date(2025, 3, 20)), state, date(2025, 3, 4))
    other = event_features(profile({"loc:valmer"}, date(2025, 3, 4)), {"centroid": {"pluie": 1.0}}, date(2025, 3, 4))
    assert model.event.probability(same) > model.event.probability(later)
    assert model.event.probability(same) > model.event.probability(other)


def test_a_text_without_entities_is_compared_on_its_words() -> None:
    state = {"centroid": {"grève": 0.8, "port": 0.6}, "entities": {"loc:valmer": 1}, "days": ["2025-03-04"] * 2}
    features = dict(zip(STORY_FEATURES, story_features(profile(set()), state), strict=True))
    assert features["no_entities"] == 1.0 and features["entities"] == 0.0 and features["terms"] > 0.99
    assert features["undated"] == 1.0  # the article has no day: no distance in time


def test_an_undated_lead_naming_the_event_weekday() -> None:
    features = dict(zip(EVENT_FEATURES, event_features(profile(set(), weekday=1), {}, date(2025, 3, 4)), strict=True))
    assert features["same_weekday"] == 1.0 and features["undated"] == 1.0  # 4 March 2025 is a Tuesday


def test_figures_leave_out_years_and_small_counts() -> None:
    assert numbers_of("En 2025, 450 dockers et 3 syndicats ont obtenu 1,5 % de hausse.") == {"450", "1.5"}


def test_an_article_is_dated_with_the_date_words_of_its_language(config: Config, store: Store) -> None:
    clusterer = Clusterer(config, store)
    text = "The mayor of Valmer resigned yesterday after a vote of the council."
    english = Article(id="en", source="en", text=text, content_hash="en", published="2025-03-11", language="en")
    assert clusterer.profile(Analysis(article=english, lemmas=["mayor", "valmer"])).day == date(2025, 3, 10)
    unknown = Article(id="xx", source="xx", text=text, content_hash="xx", published="2025-03-11", language="xx")
    assert clusterer.profile(Analysis(article=unknown, lemmas=["mayor"])).day == date(2025, 3, 11)  # no words


def test_a_name_the_model_typed_two_ways_still_matches(config: Config, store: Store) -> None:
    """The words of entity names match whatever type the model gave them; entity ids carry the type."""
    clusterer = Clusterer(config, store)
    as_place = Entity(id=stable_id("ent", "LOC", "Valmer"), name="Valmer", type="LOC")
    as_other = Entity(id=stable_id("ent", "MISC", "Valmer"), name="Valmer", type="MISC")
    lemmas = ["valmer", "grève", "port", "docker"]
    first, second = (
        clusterer.profile(
            Analysis(
                article=Article(id=n, source=n, text="Grève au port de Valmer.", content_hash=n),
                entities=[entity],
                lemmas=lemmas,
            )
        )
        for n, entity in (("first", as_place), ("second", as_other))
    )
    assert set(first.names) == set(second.names) == {"valmer"}
    state = {"names": first.names, "entities": {e: 1 for e in first.entities}}
    features = dict(zip(STORY_FEATURES, story_features(second, state), strict=True))
    assert features["names"] > 0.99 and features["entities"] == 0.0
