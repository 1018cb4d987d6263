"""Furniture learnt from the other copies of a story (transforms/clean/copies.py), made-up texts."""

from __future__ import annotations

from transforms.clean.copies import copy_furniture, drop_paragraphs

STORY = [
    "The city council approved a plan on Wednesday to plant ten thousand trees along its main avenues.",
    "Planting will start in the autumn and the first avenues to be greened are in the old town district.",
    "The mayor said the trees would cool the streets during the increasingly hot summers of recent years.",
    "Residents can suggest streets for later phases through a form on the council's website, it said.",
]


def test_one_copy_lines_at_head_and_tail_are_dropped():
    original = "\n\n".join(STORY)
    copy_a = "\n\n".join(["Posted by the web desk | 2 min read", *STORY[:3], "Tell us what you think below"])
    copy_b = "\n\n".join(["Nachrichten aus aller Welt", *STORY[:2], "Mehr aus dem Ressort im Archiv"])
    drops = copy_furniture([("o", original, True), ("a", copy_a, False), ("b", copy_b, False)])
    assert drops == {"a": {0, 4}, "b": {0, 3}}
    text, spans = drop_paragraphs(copy_a, drops["a"])
    assert text == "\n\n".join(STORY[:3])
    assert spans[0] == (0, len("Posted by the web desk | 2 min read") + 2)


def test_the_longest_copy_keeps_its_last_paragraphs():
    # the canonical is a trimmed copy here: the original's last short paragraph is story text
    trimmed = "\n\n".join(STORY[:3])
    full = "\n\n".join([*STORY, "The council will vote on the budget in May."])
    assert copy_furniture([("t", trimmed, True), ("f", full, False)]) == {}


def test_story_lines_in_other_copies_stay():
    copy_a = "\n\n".join(STORY[:3])
    copy_b = "\n\n".join(STORY[1:])
    original = "\n\n".join(STORY)
    assert copy_furniture([("o", original, True), ("a", copy_a, False), ("b", copy_b, False)]) == {}
