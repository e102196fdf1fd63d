# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 9. Conclusion: what we measured, and what to ask next
#
# The article asked one question: how does the number of hidden layers change the quality of an
# autoencoder's latent representation? Notebooks 2 to 5 rebuilt its three models, notebook 6 put
# numbers and statistical tests on its claims, notebook 7 tested its warning about overfitting,
# and notebook 8 asked which verdicts survive on 60,000 images of another data set. This notebook
# gathers the answers of notebooks 2 to 7, on the course's 4,000 digits, in one place.
#
# **You will**: read every claim next to its measured verdict, look up the course's words in a
# glossary, meet the questions the article leaves open, plan a fair experiment of your own, and
# start a small research project with a rubric to judge it by.

# %% tags=["remove-cell"]
# On Google Colab, which opens a notebook without the rest of the
# course, the course must be installed first. Anywhere else this cell
# does nothing.
import sys

if "google.colab" in sys.modules:
    import importlib.util

    importlib.invalidate_caches()
    if importlib.util.find_spec("course_utils") is None:
        raise RuntimeError(
            "This copy of the course does not name the repository it "
            "comes from, so it cannot install itself on Colab. Install "
            "it first, in a new cell: %pip install git+<the address of "
            "the repository you got the course from>. Or upload the "
            "course folder (the one with pyproject.toml), then run "
            "%pip install <that folder> and %cd <that folder>/notebooks."
            " Then run this notebook again from the top."
        )

# %% [markdown]
# ## Setup

# %%
import json
import textwrap
from pathlib import Path

import pandas as pd

from course_utils import (
    compare,
    data,
    environment,
    models,
    study,
    training,
)
from course_utils.exercises import checks

environment.setup(seed=42)

# %% [markdown]
# ## The article's claims, measured
# Each claim below is tested as in notebook 6: a model against a baseline on one or more of the
# five measures, over every seed of the saved depth study, with **Welch's t-test** and **Holm's
# correction** for the 25 comparisons of that notebook. A measure's difference is *clear* when its
# Holm-adjusted p-value (`p_holm`) is below 0.05 **and** the studies made with the TensorFlow and
# the JAX backend agree on it. A claim's verdict is then:
#
# - **holds**: every measure it names is clearly in the claimed direction;
# - **contradicted**: at least one of them is clearly in the *opposite* direction;
# - **not shown**: neither; the seeds cannot tell the two apart, which is not the same as "equal".
#
# The evidence of each measure is the model's mean against the baseline's, over the seeds of the
# reference backend's study, and the Holm-adjusted p-value. First, the data and settings the study
# was measured on, as its saved files record them:

# %%
study_dir = Path("results/depth_study")
backends = ("tensorflow", "jax")
saved_studies = {
    backend: study.load_saved(study_dir, backend) for backend in backends
}
reference = saved_studies[study.REFERENCE_BACKEND]
print(textwrap.fill(reference.data_description, width=76))
seeds, epochs = reference.config.seeds, reference.config.settings.epochs
print(
    f"{len(seeds)} seeds per model, {epochs} epochs, backends:", *backends
)

# %% [markdown]
# The cell below runs notebook 6's comparisons again on the saved runs and joins each one to the
# verdict both backends agree on:

# %%
pairs = compare.CLAIM_COMPARISONS
keys = ["model", "baseline", "metric"]
tests = study.compare_runs(reference.runs, pairs)
agreed = study.verdicts_by_backend(saved_studies, pairs)
measured = tests.merge(agreed[[*keys, "settled"]], on=keys)
means = {row["model"]: row for row in reference.summary()}

# %% [markdown]
# Now the claims. The first five are the article's own, as notebook 6 reads them; the next three
# compare with PCA, the linear baseline of notebook 1, which a nonlinear model has to beat to be
# worth its parameters.

# %%
PCA = study.PCA_NAME
RECONSTRUCTION = ("bce", "mse")
NEIGHBOURHOODS = ("knn_accuracy", "trustworthiness")
EVERY = study.METRIC_NAMES
BETTER, WORSE = study.CLEAR[1], study.CLEAR[-1]
A1, A2, A3 = (study.model_name(depth) for depth in (1, 2, 3))
claims = [
    ("One layer: blurred digits, no clusters", A1, PCA, EVERY, WORSE),
    ("Two layers are better than one", A2, A1, EVERY, BETTER),
    ("Three layers reconstruct better", A3, A2, RECONSTRUCTION, BETTER),
    ("Three layers keep neighbourhoods", A3, A2, NEIGHBOURHOODS, BETTER),
    ("Three layers: separate clusters", A3, A2, ("silhouette",), BETTER),
    (
        "Two layers reconstruct better than PCA",
        A2,
        PCA,
        RECONSTRUCTION,
        BETTER,
    ),
    (
        "Two layers keep neighbourhoods better",
        A2,
        PCA,
        NEIGHBOURHOODS,
        BETTER,
    ),
    ("Three layers beat PCA on every measure", A3, PCA, EVERY, BETTER),
]


def claim_verdict(verdicts: list[str], claimed: str) -> str:
    """holds, contradicted or not shown, from each measure's verdict."""
    opposite = WORSE if claimed == BETTER else BETTER
    if all(verdict == claimed for verdict in verdicts):
        return "holds"
    if opposite in verdicts:
        return "contradicted"
    return "not shown"


def p_text(p: float) -> str:
    """A p-value as the table shows it."""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def evidence(model: str, baseline: str, metric: str) -> str:
    """Both means of one measure and the Holm-adjusted p-value."""
    row = measured.set_index(keys).loc[(model, baseline, metric)]
    ours = means[model][f"{metric}_mean"]
    theirs = means[baseline][f"{metric}_mean"]
    return f"{metric} {ours:.3f} vs {theirs:.3f} (p {p_text(row.p_holm)})"


def claim_row(claim, model, baseline, metrics_named, claimed) -> dict:
    """One row of the claims table."""
    rows = measured.set_index(keys)
    verdicts = [
        rows.loc[(model, baseline, m), "settled"] for m in metrics_named
    ]
    return {
        "claim": claim,
        "tested as": f"{model} vs {baseline}",
        "verdict": claim_verdict(verdicts, claimed),
        "evidence": "; ".join(
            evidence(model, baseline, metric) for metric in metrics_named
        ),
        "measured on": f"{len(seeds)} seeds × {len(backends)} backends",
    }


claim_table = pd.DataFrame([claim_row(*claim) for claim in claims])

# %% [markdown]
# The article ends with a warning that it does not test: deeper models may **overfit**. Notebook 7
# tested it with one seed per run, so its rows below have no statistical test: there "holds" means
# "seen in that one run". A run overfits, as in notebook 7, when its validation loss ends more than
# 0.002 above its lowest value.

# %%
saved_runs = Path("results/going_deeper")


def saved_history(file_stem: str) -> dict[str, list[float]]:
    """The loss curves of one run that notebook 7 saved."""
    text = (saved_runs / f"{file_stem}.json").read_text()
    return json.loads(text)["history"]


def overfits(report: dict) -> bool:
    """Notebook 7's reading: the validation loss rose since its best."""
    return (
        report["rise"] > 0.002 and report["best_epoch"] < report["epochs"]
    )


deep = {
    depth: training.overfitting(saved_history(study.model_name(depth)))
    for depth in (3, 4, 5)
}
small = training.overfitting(
    saved_history("Autoencoder_5-300-images-no-remedy")
)
largest_rise = max(report["rise"] for report in deep.values())
deep_epochs = deep[5]["epochs"]
overfitting_rows = [
    {
        "claim": "Deeper models overfit",
        "tested as": "depths 3, 4, 5 on 4/5 of the training images",
        "verdict": "holds"
        if any(overfits(r) for r in deep.values())
        else "not shown",
        "evidence": (
            f"largest rise of the validation loss {largest_rise:.4f}"
        ),
        "measured on": f"1 seed, {deep_epochs} epochs",
    },
    {
        "claim": "The deepest overfits on scarce data",
        "tested as": "depth 5 on 300 training images",
        "verdict": "holds" if overfits(small) else "not shown",
        "evidence": (
            f"best epoch {small['best_epoch']} of {small['epochs']}, "
            f"rise {small['rise']:.4f}"
        ),
        "measured on": f"1 seed, {small['epochs']} epochs",
    },
]
verdicts = pd.concat(
    [claim_table, pd.DataFrame(overfitting_rows)], ignore_index=True
)
verdicts.set_index("claim")

# %% [markdown]
# **What the course found.** Depth pays for the reconstructions and for the neighbourhoods: each
# added layer reconstructs clearly better and keeps a digit's neighbours together clearly better.
# The two-layer model already reconstructs clearly better than PCA, but only the three-layer model
# also keeps the neighbourhoods clearly better than PCA does. Depth does not buy
# **separate clusters**: the silhouette gain from two to three layers is not shown, and PCA's
# silhouette is clearly higher than every autoencoder's, which is what contradicts "three layers
# beat PCA on every measure". Overfitting did not appear on four fifths of the course's training
# images; it did appear, late in training, with 300 training images.
#
# The depth study's verdicts are for the course's 4,000 training images, 30 epochs and a 2-number
# code. They may change with more data (full MNIST), longer training or a wider code: those are
# the next questions.

# %% tags=["remove-cell"]
by_claim = dict(zip(verdicts["claim"], verdicts["verdict"]))
environment.claim(
    by_claim["Three layers reconstruct better"] == "holds"
    and by_claim["Three layers keep neighbourhoods"] == "holds"
    and by_claim["Two layers are better than one"] == "holds",
    "each added layer reconstructs and keeps neighbourhoods clearly better",
)
environment.claim(
    by_claim["One layer: blurred digits, no clusters"] == "holds"
    and by_claim["Two layers keep neighbourhoods better"] == "not shown"
    and all(
        agreed.set_index(keys).loc[(A3, PCA, metric), "settled"] == BETTER
        for metric in (*RECONSTRUCTION, *NEIGHBOURHOODS)
    ),
    "only the three-layer model clearly beats PCA on those measures",
)
environment.claim(
    by_claim["Two layers reconstruct better than PCA"] == "holds",
    "the two-layer model reconstructs clearly better than PCA",
)
environment.claim(
    by_claim["Three layers: separate clusters"] == "not shown",
    "the silhouette gain from two to three layers is not shown",
)
environment.claim(
    all(
        agreed.set_index(keys).loc[(name, PCA, "silhouette"), "settled"]
        == WORSE
        for name in (A1, A2, A3)
    )
    and by_claim["Three layers beat PCA on every measure"]
    == "contradicted",
    "PCA's silhouette is clearly higher than every autoencoder's",
)
environment.claim(
    by_claim["Deeper models overfit"] == "not shown"
    and by_claim["The deepest overfits on scarce data"] == "holds"
    and small["best_epoch"] > small["epochs"] / 2,
    "overfitting appears with 300 training images, not with the course's",
)
environment.claim(
    len(measured) == 25,
    "notebook 6 makes 25 comparisons",
    f"{len(measured)}",
)
environment.claim(
    len(reference.runs) > 0
    and "4,000 train" in reference.data_description
    and epochs == 30,
    "the study used the course's 4,000 training images and 30 epochs",
    f"{reference.data_description!r}, {epochs} epochs",
)

# %% [markdown]
# ## Glossary
# The course's words, as the notebooks use them.
#
# | word | meaning |
# | --- | --- |
# | **autoencoder** | a neural network trained to give back its own input through a narrow middle layer; it needs no labels (notebook 1) |
# | **encoder** | the half that turns an image of 784 pixels into a few numbers, the code |
# | **decoder** | the half that rebuilds the 784 pixels from the code; in this course it mirrors the encoder |
# | **latent code**, **latent space** | the numbers the encoder gives for one image, and the space of all such codes; with 2 numbers it can be plotted |
# | **`latent_dim`** | the number of numbers in the code: 2 in the article and in every notebook |
# | **depth** | the number of the encoder's layers, counting the code layer: the article's models have depths 1, 2 and 3 |
# | **parameters** | the weights and biases a model learns; a `Dense` layer from `m` inputs to `n` units has `m × n + n` |
# | **reconstruction** | the decoder's output for an image's code: the image as the autoencoder gives it back |
# | **BCE** | binary cross-entropy between the pixels and their reconstructions: the loss every model is trained with (lower is better) |
# | **MSE** | the mean squared difference between original and reconstructed pixels (lower is better) |
# | **kNN accuracy** | the share of test codes whose 5 nearest training codes mostly carry their label; 0.1 is chance |
# | **trustworthiness** | how far neighbours in the code were also neighbours among the pixels; uses no labels; 1 is perfect, about 0.5 random (Venna & Kaski, 2001) |
# | **silhouette** | how much closer each code is to its own digit's codes than to the nearest other digit's, from −1 to 1; near 0 means touching clusters (Rousseeuw, 1987) |
# | **PCA** | principal component analysis: the best *linear* 2-number code, the baseline every autoencoder must beat (notebook 1) |
# | **epoch** | one pass of training over all training images |
# | **seed** | the number that fixes a run's random start and shuffling; another seed gives another, equally valid, run |
# | **training, validation, test images** | the images a model learns from; images held out of the training set to choose settings and watch for overfitting; images used only to report results, never to choose anything |
# | **overfitting** | learning the training images by heart: the training loss keeps falling while the validation loss rises (notebook 7) |
# | **early stopping** | ending training once the validation loss has not improved for a set number of epochs, keeping the best weights |
# | **dropout** | switching each hidden unit off at random during training, so that no unit can rely on another |
# | **Welch's t-test** | asks whether two sets of runs could differ by chance, without assuming equal spreads (Welch, 1947) |
# | **Holm's correction** | adjusts the p-values of many tests so that the chance of even one false "clearly" stays below 5% (Holm, 1979) |
# | **clearly better, not shown** | the study's verdicts: a Holm-adjusted p-value below 0.05, or not; "not shown" is not "equal" |
# | **backend** | the library Keras computes with: TensorFlow, JAX or PyTorch; each draws its own random numbers from a seed |

# %% [markdown]
# ## The next questions
# The article tuned one setting, the number of hidden layers, and held the others fixed. It names
# the others that decide the quality of a latent representation; each is a question of its own.
#
# - **The size of the code.** Every model here squeezes an image into 2 numbers so that we can
#   plot it. With 3 to 10 numbers the decoder has more to work with: do the reconstructions
#   improve, and does depth still pay as much? (The latent measures work in any dimension; only
#   the pictures need 2.)
# - **The activation function.** The hidden layers use ReLU and the code is linear. Would another
#   hidden activation (tanh, say) change the verdicts, and why did a ReLU code collapse for some
#   seeds (notebook 2)?
# - **Width against depth at equal parameters.** The deeper models are also bigger (exercise 3.2).
#   A fair test of depth compares a deep model with a wide shallow one of the *same* number of
#   parameters.
# - **Convolutional autoencoders.** Dense layers ignore that neighbouring pixels belong together;
#   convolutional layers use it, with far fewer parameters
#   ([Masci et al., 2011](https://doi.org/10.1007/978-3-642-21735-7_7)).
# - **Variational autoencoders.** A variational autoencoder learns a code laid out as a probability
#   distribution, so that new digits can be drawn from it
#   ([Kingma & Welling, 2014](https://doi.org/10.48550/arXiv.1312.6114)).
#
# The same method answers each of them: change one thing, hold the rest fixed, repeat with several
# seeds, choose nothing on the test images, measure more than one thing, and test the differences.

# %% [markdown]
# (ex-9-1)=
# ### Exercise 9.1: what does each measure reward?
# **Learning goal**: tell the five measures apart by the question each one asks; that is why their
# verdicts in the table above can differ.
#
# **Task**: the five statements below each describe what one measure rewards. Set `rewards_9_1`
# to a dict from each measure (`"bce"`, `"mse"`, `"knn_accuracy"`, `"trustworthiness"`,
# `"silhouette"`) to the letter of its statement.

# %%
for letter, statement in checks.MEASURE_STATEMENTS.items():
    print(
        textwrap.fill(f"{letter}. {statement}", 76, subsequent_indent="   ")
    )

# %% tags=["solution"]
rewards_9_1 = {
    "bce": "B",
    "mse": "E",
    "knn_accuracy": "D",
    "trustworthiness": "A",
    "silhouette": "C",
}

# %%
checks.check_measure_rewards(rewards_9_1)

# %% [markdown]
# (ex-9-2)=
# ### Exercise 9.2: plan a fair experiment
# **Learning goal**: design a comparison that can answer its question: one change, everything
# else fixed, more than one measure, several seeds, and no choice made on the test images.
#
# **Task**: pick one of the next questions and set `plan_9_2` to a dict with six fields:
#
# - `"question"`: the question, in a sentence;
# - `"changed"`: the one setting you change (for example `"latent_dim"` or `"depth"`);
# - `"fixed"`: the settings you hold fixed (the course's are `depth`, `latent_dim`, `epochs`,
#   `batch_size`, `learning_rate`, `optimizer` and `data`, the training images);
# - `"measures"`: the measures you will compare, by their names in the table above;
# - `"seeds"`: the list of seeds each setting is trained with;
# - `"chosen_on"`: the images that decide training choices such as the number of epochs or early
#   stopping: `"validation"`, `"training"` or `"test"`.

# %% tags=["solution"]
plan_9_2 = {
    "question": "Does a 10-number code change what three layers buy?",
    "changed": "latent_dim",
    "fixed": [
        "depth",
        "epochs",
        "batch_size",
        "learning_rate",
        "optimizer",
        "data",
    ],
    "measures": ["bce", "knn_accuracy", "trustworthiness", "silhouette"],
    "seeds": list(range(10)),
    "chosen_on": "validation",
}

# %%
checks.check_experiment_plan(plan_9_2)

# %% [markdown]
# ## Capstone project
# Answer one of the next questions with an experiment of your own, and write it up in a new
# notebook. Two questions the course's tools answer directly:
#
# 1. **Does a wider code change the value of depth?** Train depths 1 and 3 with `latent_dim` 2
#    and, say, 3, 5 and 10; is the gain of depth as large with a wider code?
# 2. **Width or depth at equal parameters?** Compare `Autoencoder_3` with a one-hidden-layer
#    model `784-w-2-w-784` whose width `w` gives about the same number of parameters
#    (`models.expected_parameter_count` counts them).
#
# The tools: `models.build_autoencoder(hidden_units, latent_dim=..., seed=...)` builds a model,
# `data.split_validation` holds out validation images, `study.train_and_measure` trains a model and
# measures it on the test images, and `study.compare_runs(runs, pairs)` runs Welch's t-tests with
# Holm's correction on a list of runs, each a dict with a `"model"` name and the five measures.
#
# **Rubric.** Judge your project, or a classmate's, by this table:
#
# | criterion | beginning | developing | accomplished |
# | --- | --- | --- | --- |
# | **question** | vague ("is depth good?") | answerable, but the measure that decides it is not named | one answerable question, with the measures that decide it named in advance |
# | **fair design** | several settings change at once | one change, but something else (epochs, data) differs between runs | one change, everything else held fixed and listed, settings chosen on validation images |
# | **seeds and statistics** | one run per setting | several seeds, means compared by eye | at least 3 seeds (better 10), Welch's t-test with Holm's correction, verdicts "clearly" or "not shown" |
# | **honest reporting** | only the measures that agree with the hope | all measures, but "not shown" read as "equal" | every measure and verdict reported, the data and settings stated, limits named |
# | **clarity** | numbers without a table or figure | a table, little explanation | a table and a figure, each explained in a sentence, code that runs from top to bottom |
#
# **Starter.** The cell below checks that the pieces fit together: one seed, **2 epochs**, two
# codes at depth 3. It runs in seconds, and its numbers are **not a result**: a real run needs the
# course's 30 epochs and several seeds per setting.

# %%
# STARTER ONLY: 1 seed and 2 epochs, to see the pieces work together.
mnist = data.load_mnist()
x_fit, y_fit, x_val, y_val = data.split_validation(
    mnist.x_train, mnist.y_train, fraction=0.2, seed=0
)
starter_settings = training.TrainingSettings(epochs=2)
runs = []
for latent_dim in (2, 3):
    name = f"depth3_code{latent_dim}"
    model = models.build_autoencoder(
        (32, 10), latent_dim=latent_dim, name=name, seed=0
    )
    run = study.train_and_measure(
        model, x_fit, x_val, mnist, starter_settings, seed=0, verbose=False
    )
    runs.append({"model": name, "seed": 0, **run.scores})
pd.DataFrame(runs).set_index("model").round(3)

# %% [markdown]
# To go on: loop over seeds (`for seed in range(10)`), use `training.TrainingSettings()` for the
# course's 30 epochs, add the depths you compare, and pass the runs to `study.compare_runs` with
# the pairs of models you want to compare, for example `[("depth3_code3", "depth3_code2")]`.

# %% [markdown]
# ## Summary
# - On the course's data, each hidden layer clearly improved the reconstructions and the
#   neighbourhoods of the 2-number codes; no depth made separate clusters, and PCA's silhouette
#   stayed clearly ahead of every autoencoder's.
# - The article's warning about overfitting did not bite on four fifths of the course's training
#   images; it did with 300, in one run.
# - A verdict holds for the data, settings and seeds it was measured on: change one thing at a
#   time, repeat with seeds, choose on validation images, and test the differences.
#
# **References.** Every work the course cites, with its link, is on the book's
# [References](../book/references.md) page: the article (Pramoditha, 2022), the autoencoder and PCA
# papers, the three latent measures, Welch's test and Holm's correction, the data and Keras.
#
# This is the last notebook. Instructors: the exercises, their learning goals and their answers are
# listed in the instructor guide, `book/instructor_guide.md` in the course's repository.
