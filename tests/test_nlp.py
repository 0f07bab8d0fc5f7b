"""The reader: French parsed (its speed settings change no annotation of spaCy's), other languages as words."""

from __future__ import annotations

import json
from pathlib import Path

import spacy
import srsly.msgpack
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc

from recoupe.config import Config
from recoupe.models import Models
from recoupe.pipeline import read
from recoupe.read.nlp import Reader
from recoupe.read.rulers import IndexedMatch
from recoupe.records import Article

# Invented for this test.
TEXT = (
    "La ministre de la Santé, Claire Vasseur, a annoncé jeudi à Lyon la fermeture de trois maternités. "
    "« Nous n'avons plus assez de sages-femmes », a-t-elle déclaré devant les élus de la métropole.\n\n"
    "Le syndicat Sud Santé dénonce une décision « brutale » et appelle à manifester samedi devant l'hôpital "
    "Édouard-Herriot. Selon l'Agence régionale de santé, 1 200 accouchements seraient déplacés chaque année."
)


def annotated(doc: Doc) -> list[tuple[str, str, str, str, bool, str]]:
    return [(t.text, t.pos_, t.lemma_, str(t.morph), bool(t.is_sent_start), t.ent_iob_ + t.ent_type_) for t in doc]


def test_numpy_products_and_indexed_lemmas_change_no_annotation(reader: Reader, config: Config) -> None:
    default = spacy.load(reader.model, exclude=["parser"])  # thinc's BLIS, the lemmatizer's lists
    default.enable_pipe("senter")
    assert annotated(reader.nlp(TEXT)) == annotated(default(TEXT))
    lemmatizer = reader.nlp.get_pipe("lemmatizer")
    assert isinstance(lemmatizer, Lemmatizer)
    lemma_index = lemmatizer.lookups.get_table("lemma_index")
    assert all(isinstance(words, frozenset) for words in lemma_index.values())


def test_articles_in_a_language_with_a_model_are_parsed_others_read_as_words(models: Models) -> None:
    french = Article(id="a", source="a", text=TEXT, content_hash="a", language="fr")
    # Portuguese: a folder of rules, but no spaCy model.
    portuguese = Article(
        id="b", source="b", text="O ministro fechou três enfermarias na quinta-feira.", content_hash="b", language="pt"
    )
    readings = read(models, [french, portuguese])
    assert readings[0].doc is not None and "vasseur" in readings[0].lemmas
    assert readings[1].doc is None and readings[1].lemmas == ["ministro", "fechou", "enfermarias", "feira"]


def test_frozen_msgpack_codecs_are_the_registered_ones_and_docs_travel_whole(reader: Reader) -> None:
    doc = reader.nlp("La ministre Claire Dumas a annoncé lundi à Nantes que la maternité rouvrira.")
    for registry in (srsly.msgpack.msgpack_encoders, srsly.msgpack.msgpack_decoders):
        assert registry.get_all() == type(registry).get_all(registry)  # what catalogue itself would look up
    back = Doc(reader.nlp.vocab).from_bytes(doc.to_bytes(exclude=["tensor", "user_data"]))
    assert back.to_json() == doc.to_json()


# Invented for this test: contractions, spelled-out speech and a few tags the English ruler corrects.
ENGLISH = (
    "\"We ain't gonna close the plant,\" said Mr. Dale Horner, who runs it. Y'all know nothin' changes today, "
    "but I'd say it's been a hard year. Let's see: the council voted 7-2 on Tuesday, though whether it will "
    "hold is unclear.\n\nThere were 312 jobs at stake."
)


def test_indexed_attribute_ruler_sets_what_spacys_matcher_sets(models: Models, shared_dir: Path) -> None:
    lines = (shared_dir / "dev-en" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    texts = {"fr": [TEXT], "en": [ENGLISH] + [json.loads(line)["text"] for line in lines[:25]]}
    for language, samples in texts.items():
        reader = models.reader(language)
        assert reader is not None
        indexed = reader.nlp.get_pipe("attribute_ruler")
        default = spacy.load(reader.model, exclude=["parser"]).get_pipe("attribute_ruler")
        assert isinstance(indexed, AttributeRuler) and isinstance(default, AttributeRuler)
        assert isinstance(indexed.match, IndexedMatch) and not isinstance(default.match, IndexedMatch)
        for text in samples:
            doc = reader.nlp.make_doc(text)
            for name, component in reader.nlp.pipeline:  # the components before the ruler
                if name == "attribute_ruler":
                    break
                doc = component(doc)
            ours, theirs = doc.copy(), doc.copy()
            indexed(ours)
            default(theirs)
            assert sorted(indexed.match(doc)) == sorted(set(default.match(doc))), text[:60]
            assert annotated(ours) == annotated(theirs), text[:60]
            assert any(t.pos_ for t in ours)
