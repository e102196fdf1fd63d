"""Checks of notebook 9's exercises (ex-9-*): what each measure rewards, and a plan of a fair experiment."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping

from course_utils import metrics
from course_utils.exercises.exercise import Call, Exercise, ManualItem
from course_utils.exercises.feedback import CheckResult, coached, not_answered, shown, whole_number

# Exercise 9.1: each measure against the statement of what it rewards. The letters are in no
# measure's order, so that the order of the list gives nothing away.
MEASURE_STATEMENTS: dict[str, str] = {
    "A": "Points that are neighbours in the code were also neighbours among the 784 pixels; no labels are used.",
    "B": "The loss the models were trained to lower: each decoded pixel is read as a probability of ink.",
    "C": "Each code is closer to all codes of its own digit than to all codes of the nearest other digit.",
    "D": "The few nearest training codes of a test digit mostly carry that digit's label.",
    "E": "The average squared difference between an original pixel and its decoded pixel.",
}
MEASURE_LETTERS = {"bce": "B", "mse": "E", "knn_accuracy": "D", "trustworthiness": "A", "silhouette": "C"}
MEASURE_ALIASES = {
    "knn": "knn_accuracy",
    "k_nn_accuracy": "knn_accuracy",
    "binary_cross_entropy": "bce",
    "mean_squared_error": "mse",
    "trust": "trustworthiness",
    "silhouette_score": "silhouette",
}

# The confusions notebooks 1 and 6 warn about, each with the difference that settles it.
MEASURE_CONFUSIONS = {
    frozenset(("knn_accuracy", "silhouette")): (
        "kNN accuracy looks only at the few nearest codes of each digit, the silhouette at whole clusters: "
        "touching clusters keep a kNN accuracy far above chance and a silhouette near 0 (notebook 6)."
    ),
    frozenset(("knn_accuracy", "trustworthiness")): (
        "Trustworthiness uses no labels: it compares neighbours in the code with neighbours among the pixels. "
        "kNN accuracy asks whether the neighbours carry the same label."
    ),
    frozenset(("bce", "mse")): (
        "Both judge the reconstructions. BCE (binary cross-entropy) is the loss the models were trained with; "
        "MSE is the plain squared pixel error."
    ),
}
MEASURE_HINTS = {
    "bce": "BCE is the training loss of every model of the course.",
    "mse": "MSE squares each pixel's error and averages.",
    "knn_accuracy": "kNN accuracy classifies each test code by the labels of its 5 nearest training codes.",
    "trustworthiness": "Trustworthiness never looks at a label.",
    "silhouette": "The silhouette compares distances to whole clusters.",
}


def _measure_name(key: object) -> str | None:
    """A measure's name from text such as ``"kNN accuracy"``, or None."""
    if not isinstance(key, str):
        return None
    name = key.strip().lower().replace(" ", "_").replace("-", "_")
    name = MEASURE_ALIASES.get(name, name)
    return name if name in MEASURE_LETTERS else None


def _statement_letter(value: object) -> str | None:
    """A letter of :data:`MEASURE_STATEMENTS` from text such as ``" b"``, or None."""
    if not isinstance(value, str):
        return None
    letter = value.strip().upper()
    return letter if letter in MEASURE_STATEMENTS else None


def _read_measure_letters(answer: Mapping) -> tuple[dict[str, str], list[str]]:
    """The student's letter for each measure, and what is wrong with the mapping itself."""
    letters: dict[str, str] = {}
    problems: list[str] = []
    seen: set[str] = set()
    choices = ", ".join(MEASURE_STATEMENTS)
    for key, value in itertools.islice(answer.items(), 20):
        name = _measure_name(key)
        if name is not None and name in seen:
            problems.append(f"{name} appears twice: give each measure once.")
            continue
        seen.add(name or "")
        if name is None:
            problems.append(f"{shown(key)} is not one of the measures {', '.join(MEASURE_LETTERS)}.")
        elif value is Ellipsis:
            problems.append(f"{name}: not answered yet (replace its ... with a letter).")
        elif _statement_letter(value) is None:
            problems.append(f"{name}: give one of the letters {choices}, not {shown(value)}.")
        else:
            letters[name] = _statement_letter(value) or ""
    missing = [name for name in MEASURE_LETTERS if name not in seen]
    if missing:
        problems.append(f"Give a letter for every measure; missing: {', '.join(missing)}.")
    return letters, problems


def _repeated_letters(letters: Mapping[str, str]) -> list[str]:
    """A message for each statement given to more than one measure."""
    messages = []
    for letter in sorted(set(letters.values())):
        names = [name for name, given in letters.items() if given == letter]
        if len(names) > 1:
            messages.append(f"{letter} is given to {' and '.join(names)}: each statement fits exactly one measure.")
    return messages


def _wrong_letter_message(name: str, letter: str) -> str:
    """Why ``letter`` does not describe measure ``name``, naming a known confusion when it is one."""
    owner = next(measure for measure, right in MEASURE_LETTERS.items() if right == letter)
    confusion = MEASURE_CONFUSIONS.get(frozenset((name, owner)))
    return f"{name}: {letter} is not what it rewards. {confusion or MEASURE_HINTS[name]}"


@coached(
    hint="Ask of each statement: does it judge the reconstructions or the codes? Does it use the digit labels? "
    "Does it look at a few nearest neighbours or at whole clusters?",
    recipe="Sort the statements first: two judge reconstructions (one is the training loss, one the plain squared "
    "error), one judges codes without labels, two judge codes with labels (one by nearest neighbours, one by whole "
    "clusters). Then print metrics.METRIC_DESCRIPTIONS, which says in words what each measure rewards.",
)
def check_measure_rewards(answer: object) -> CheckResult:
    """Exercise 9.1: match each of the five measures to the statement of what it rewards.

    Args:
        answer: A dict from each measure (``"bce"``, ``"mse"``, ``"knn_accuracy"``,
            ``"trustworthiness"``, ``"silhouette"``) to a letter of :data:`MEASURE_STATEMENTS`.

    Returns:
        The verdict; a wrong letter is named with the confusion it shows (kNN accuracy against
        the silhouette or trustworthiness, BCE against MSE), never with the right letter. Each
        measure is a part worth a fifth of the points: right when its letter is, and no other
        measure has that letter (so that one letter for all five earns nothing).
    """
    title = "Exercise 9.1"
    if answer is Ellipsis:
        return not_answered(title)
    if not isinstance(answer, Mapping):
        return CheckResult(
            title, fix=[f'Give a dict from each measure to a letter, e.g. {{"bce": "A", ...}}, not {shown(answer)}.']
        )
    letters, problems = _read_measure_letters(answer)
    problems += _repeated_letters(letters)
    result = CheckResult(title, fix=problems)
    given = Counter(letters.values())
    for name, letter in MEASURE_LETTERS.items():
        result.part(name, letters.get(name) == letter and given[letter] == 1)
    if problems:
        return result
    for name, letter in letters.items():
        if letter == MEASURE_LETTERS[name]:
            result.right.append(f"{name}: {MEASURE_STATEMENTS[letter]}")
        else:
            result.fix.append(_wrong_letter_message(name, letter))
    if result.passed:
        result.right.append("Five measures, five different questions: that is why their verdicts can disagree.")
    return result


# Exercise 9.2: a plan of a fair experiment, written as a dict.
PLAN_FIELDS = ("question", "changed", "fixed", "measures", "seeds", "chosen_on")

# The settings that decide a result of the course: a fair plan changes one and holds the others.
HELD_SETTINGS = ("depth", "latent_dim", "epochs", "batch_size", "learning_rate", "optimizer", "data")
SETTING_ALIASES = {
    "hidden_layers": "depth",
    "number_of_hidden_layers": "depth",
    "layers": "depth",
    "number_of_layers": "depth",
    "code_size": "latent_dim",
    "latent_size": "latent_dim",
    "latent_dimension": "latent_dim",
    "size_of_the_code": "latent_dim",
    "lr": "learning_rate",
    "batch": "batch_size",
    "training_images": "data",
    "training_data": "data",
    "dataset": "data",
    "images": "data",
    "seeds": "seed",
}
VALIDATION_WORDS = ("validation", "validation_split", "validation_set", "validation_images", "val", "x_val")
TEST_WORDS = ("test", "test_set", "test_images", "x_test")
TRAINING_WORDS = ("train", "training", "training_set", "training_loss", "x_train")
MIN_SEEDS = 3
MAX_SEEDS = 1_000  # more runs than any plan of the course could train


def _setting(item: object) -> str | None:
    """A setting's name from text such as ``"Learning rate"``, or None for what is not text."""
    if not isinstance(item, str) or not item.strip():
        return None
    name = item.strip().lower().replace(" ", "_").replace("-", "_")
    return SETTING_ALIASES.get(name, name)


def _text_items(value: object, field_name: str, example: str) -> tuple[list[object] | None, str | None]:
    """The items of a list, tuple or set, or what to give instead."""
    if isinstance(value, (list, tuple, set, frozenset)) and len(value) <= MAX_SEEDS:
        return list(value), None
    if isinstance(value, str):
        return None, f"{field_name}: give a list such as {example}, not the text {shown(value)}."
    return None, f"{field_name}: give a list such as {example}, not {shown(value)}."


def _question_problem(question: object) -> str | None:
    if not isinstance(question, str) or len(question.split()) < 3:
        return (
            f"question: write the question the experiment answers, in a sentence "
            f'(e.g. "Does a 10-number code change what depth buys?"), not {shown(question)}.'
        )
    return None


def _changed_setting(changed: object) -> tuple[str | None, str | None]:
    """The one setting the plan changes, or what is wrong with ``changed``."""
    if isinstance(changed, (list, tuple, set, frozenset)):
        items = [_setting(item) for item in itertools.islice(changed, 11)]
        if len(items) != 1:
            shown_items = ", ".join(str(item) for item in items)
            return None, f"changed: change one thing at a time; you change {len(items)} ({shown_items})."
        changed = items[0]
    setting = _setting(changed)
    if setting is None:
        return None, f'changed: name the one setting you change, e.g. "latent_dim", not {shown(changed)}.'
    if setting == "seed":
        return None, "changed: seeds are repeats of each run, not the thing you compare; put them under seeds."
    return setting, None


def _fixed_problems(fixed: object, changed: str | None) -> list[str]:
    """What the plan forgets to hold fixed, or holds fixed and changes at once."""
    items, problem = _text_items(fixed, "fixed", '["depth", "epochs", ...]')
    if items is None:
        return [problem or "fixed: give a list of settings."]
    settings = {_setting(item) for item in items}
    problems = []
    if changed is not None and changed in settings:
        problems.append(f"fixed: {changed} cannot be both changed and held fixed.")
    missing = [name for name in HELD_SETTINGS if name not in settings and name != changed]
    if missing:
        problems.append(f"fixed: also hold {', '.join(missing)} fixed; a difference could otherwise come from them.")
    return problems


def _measures_problems(measures: object) -> list[str]:
    """Whether the plan measures both the reconstructions and the latent space with the course's measures."""
    items, problem = _text_items(measures, "measures", '["bce", "knn_accuracy"]')
    if items is None:
        return [problem or "measures: give a list of measures."]
    names = [_measure_name(item) for item in items]
    unknown = [shown(item) for item, name in zip(items, names) if name is None]
    if unknown:
        return [f"measures: {', '.join(unknown)} is not a measure of the course; use {', '.join(MEASURE_LETTERS)}."]
    problems = []
    if not set(names) & set(metrics.LOWER_IS_BETTER):
        problems.append("measures: add a reconstruction measure (bce or mse).")
    if not set(names) - set(metrics.LOWER_IS_BETTER):
        problems.append(
            "measures: add a latent measure (knn_accuracy, trustworthiness or silhouette): notebook 6 showed "
            "that the measures can disagree."
        )
    return problems


def _seeds_problem(seeds: object) -> str | None:
    """Why ``seeds`` is not a list of at least three different whole numbers, or None."""
    if isinstance(seeds, range) and len(seeds) <= MAX_SEEDS:
        seeds = list(seeds)
    if not isinstance(seeds, (list, tuple, set, frozenset)) or len(seeds) > MAX_SEEDS:
        return f"seeds: give the list of seeds of each run, e.g. [0, 1, 2, 3, 4], not {shown(seeds)}."
    values = []
    for item in seeds:
        value, problem = whole_number(item)
        if value is None:
            return f"seeds: {shown(item)} is not a seed: {problem}"
        if value < 0:
            return f"seeds: {value} is negative; a seed is a whole number from 0 up."
        values.append(value)
    if len(set(values)) < len(values):
        return "seeds: a seed given twice repeats the same run; give different seeds."
    if len(values) < MIN_SEEDS:
        return (
            f"seeds: {len(values)} seed{'s' if len(values) != 1 else ''} cannot show a spread; give at least "
            f"{MIN_SEEDS} (notebook 6 used ten, and even three let verdicts flip between backends)."
        )
    return None


def _chosen_on_problem(chosen_on: object) -> str | None:
    """Why ``chosen_on`` does not name a validation split of the training images, or None."""
    word = _setting(chosen_on)
    if word in VALIDATION_WORDS:
        return None
    if word in TEST_WORDS:
        return (
            "chosen_on: choices made on the test images (epochs, early stopping) make the test result look better "
            "than it is; hold out a validation split of the training images (data.split_validation)."
        )
    if word in TRAINING_WORDS:
        return (
            "chosen_on: the training loss rewards learning the training images by heart (notebook 7); choose on a "
            "validation split of the training images."
        )
    return f'chosen_on: say which images decide the training choices, "validation" or "test", not {shown(chosen_on)}.'


def _plan_field_problems(plan: Mapping) -> list[str]:
    """Fields that are missing or unknown, each named."""
    keys = [key for key in itertools.islice(plan, 50)]
    problems = [f"the plan has no field {name!r}." for name in PLAN_FIELDS if name not in keys]
    unknown = [shown(key) for key in keys if key not in PLAN_FIELDS]
    if unknown:
        problems.append(f"{', '.join(unknown)}: not a field of the plan; its fields are {', '.join(PLAN_FIELDS)}.")
    return problems


@coached(
    hint="A fair experiment changes one thing, holds every other setting fixed, measures both the "
    "reconstructions and the codes over several seeds, and makes its choices on validation images.",
    recipe='{"question": "Does a 10-number code change what three layers buy?", "changed": "latent_dim", '
    '"fixed": ["depth", "epochs", "batch_size", "learning_rate", "optimizer", "data"], '
    '"measures": ["bce", "knn_accuracy"], "seeds": list(range(5)), "chosen_on": "validation"}',
)
def check_experiment_plan(plan: object) -> CheckResult:
    """Exercise 9.2: a plan of a fair experiment, as a dict with the fields of :data:`PLAN_FIELDS`.

    Args:
        plan: ``question`` (a sentence), ``changed`` (the one setting changed), ``fixed`` (the
            settings held fixed), ``measures`` (names of the course's measures), ``seeds`` (a list
            of at least three seeds) and ``chosen_on`` (the images that decide training choices).

    Returns:
        The verdict, naming every missing field and every flaw: more than one thing changed, a
        setting left free, no reconstruction or no latent measure, too few or repeated seeds,
        choices made on the test or training images. Each field is a part worth a sixth of the
        points: right when it is given and has no flaw.
    """
    title = "Exercise 9.2"
    if plan is Ellipsis:
        return not_answered(title)
    if not isinstance(plan, Mapping):
        return CheckResult(
            title, fix=[f"Give the plan as a dict with the fields {', '.join(PLAN_FIELDS)}, not {shown(plan)}."]
        )
    problems = _plan_field_problems(plan)
    if any(plan.get(name) is Ellipsis for name in PLAN_FIELDS if name in plan):
        open_fields = [name for name in PLAN_FIELDS if name in plan and plan[name] is Ellipsis]
        problems.append(f"not answered yet: {', '.join(open_fields)} (replace each ... with your answer).")
    changed, changed_problem = _changed_setting(plan.get("changed")) if "changed" in plan else (None, None)
    checks_by_field = {
        "question": lambda: [_question_problem(plan["question"])],
        "changed": lambda: [changed_problem],
        "fixed": lambda: _fixed_problems(plan["fixed"], changed),
        "measures": lambda: _measures_problems(plan["measures"]),
        "seeds": lambda: [_seeds_problem(plan["seeds"])],
        "chosen_on": lambda: [_chosen_on_problem(plan["chosen_on"])],
    }
    result = CheckResult(title, fix=problems)
    for name, field_check in checks_by_field.items():
        given = name in plan and plan[name] is not Ellipsis
        flaws = [problem for problem in field_check() if problem] if given else []
        result.fix += flaws
        result.part(name, given and not flaws)
    if result.passed:
        result.right = [
            f"One thing changed ({changed}), the others held fixed, both kinds of measure, "
            f"{len(list(plan['seeds']))} seeds, choices made on validation images: a fair plan.",
            "Compare the runs with Welch's t-test and correct for the number of tests (Holm), as notebook 6 does.",
        ]
    return result


EXERCISES = (
    Exercise(
        label="ex-9-1",
        number="9.1",
        title="what does each measure reward?",
        notebook="09_conclusion",
        goal="tell the five measures apart by the question each one asks",
        looks_at=(
            "a dict from each measure to one of five statements; names kNN accuracy taken for the silhouette or for "
            "trustworthiness and BCE for MSE, a letter used twice, a missing or unknown measure; never gives a letter"
        ),
        answer="bce B, mse E, knn_accuracy D, trustworthiness A, silhouette C",
        calls=(Call(check_measure_rewards, "rewards_9_1"),),
        minutes=10,
        points=2,
    ),
    Exercise(
        label="ex-9-2",
        number="9.2",
        title="plan a fair experiment",
        notebook="09_conclusion",
        goal="design a comparison: one change, the rest fixed, several measures and seeds, choices on validation images",
        looks_at=(
            "a dict with question, changed, fixed, measures, seeds, chosen_on; names every missing field, more than "
            "one change, a setting not held fixed, no reconstruction or no latent measure, fewer than 3 or repeated "
            "seeds, choices made on the test or training images"
        ),
        answer="depends on the question; the solution plans a wider code against the article's, at the same depth",
        calls=(Call(check_experiment_plan, "plan_9_2"),),
        minutes=15,
        points=3,
    ),
)

# Graded by hand: the capstone's rubric (notebook 9) has five criteria, each 1 (beginning), 2 (developing)
# or 3 (accomplished).
MANUAL = (
    ManualItem(
        number="9.C",
        title="capstone project",
        notebook="09_conclusion",
        points=15,
        rubric="the capstone rubric of notebook 9: question, fair design, seeds and statistics, honest reporting, "
        "clarity; 1 (beginning), 2 (developing) or 3 (accomplished) each",
    ),
)
