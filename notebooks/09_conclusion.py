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
# The article asked how the number of hidden layers changes the quality of an autoencoder's latent
# representation. Notebooks 2 to 5 rebuilt its models, 6 tested its claims, 7 its warning about
# overfitting, and 8 which verdicts survive on 60,000 images of other data. Here, together, are the
# answers of notebooks 2 to 7 on the course's 4,000 digits, beside notebook 8's at full size.
#
# **You will** read the claims beside their verdicts, use a glossary, meet the open questions, plan
# a fair experiment, and start a research project with a rubric.

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
import textwrap
from pathlib import Path

import pandas as pd

from course_utils import (
    compare,
    data,
    environment,
    models,
    significance,
    size_study,
    study,
    tables,
    training,
)
from course_utils.exercises.checks import nb09 as checks

environment.setup(seed=42)

# %% [markdown]
# ## The article's claims, measured
# Each claim is tested as in notebook 6: a model against a baseline on some of the five measures,
# over every seed of the saved depth study, by **Welch's t-test** with **Holm's correction** for
# that notebook's 25 comparisons. A difference is *clear* when its Holm-adjusted p-value (`p_holm`)
# is below 0.05 **and** the TensorFlow and JAX studies agree on it. A claim then:
#
# - **holds** when every measure it names is clearly in the claimed direction;
# - is **contradicted** when one of them is clearly in the *opposite* direction;
# - is **not shown** otherwise: the seeds cannot tell the two apart, which is not "equal".
#
# As evidence: each measure's means for model and baseline over the reference backend's seeds, and
# the Holm-adjusted p-value. First, the study's data and settings, as its saved files record them:

# %%
study_dir = Path("results/depth_study")
backends = ("tensorflow", "jax")
saved_studies = {
    backend: study.saved_study(study_dir, backend) for backend in backends
}
reference = saved_studies[study.REFERENCE_BACKEND]
print(textwrap.fill(reference.data_description, width=76))
seeds, epochs = reference.config.seeds, reference.config.settings.epochs
print(
    f"{len(seeds)} seeds per model, {epochs} epochs, backends:", *backends
)

# %% [markdown]
# Notebook 6's comparisons on the saved runs, with the verdicts both backends agree on: the 25 of
# the article's models, and the 20 of the parameter-matched controls, each family Holm-adjusted on
# its own, as notebook 6 shows them.

# %%
keys = ["model", "baseline", "metric"]


def settled_tests(pairs):
    """Welch + Holm on the reference study, with the verdict both backends agree on."""
    tests = significance.compare_runs(reference.runs, pairs)
    agreed = significance.verdicts_by_backend(saved_studies, pairs)
    return tests.merge(agreed[[*keys, "settled"]], on=keys), agreed


measured, agreed = settled_tests(compare.CLAIM_COMPARISONS)
controlled, _ = settled_tests(study.CONTROL_COMPARISONS)
means = {row["model"]: row for row in reference.summary()}

# %% [markdown]
# Now the claims: the first five are the article's own, as notebook 6 reads them; the next three
# compare with PCA, which a nonlinear model must beat to be worth its parameters.

# %%
PCA = study.PCA_NAME
RECONSTRUCTION = ("bce", "mse")
NEIGHBOURHOODS = ("knn_accuracy", "trustworthiness")
EVERY = study.METRIC_NAMES
BETTER, WORSE = significance.CLEAR[1], significance.CLEAR[-1]
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
# The controls: is it the layer, or the parameters?
(deep_wide, wide), (narrow, shallow) = study.DEPTH_AT_EQUAL_SIZE
(wide_2, small_2), (large_3, small_3) = study.SIZE_AT_EQUAL_DEPTH
GAINS = (*RECONSTRUCTION, *NEIGHBOURHOODS)
claims += [
    (
        "At equal size, a third layer pays (52k)",
        deep_wide,
        wide,
        GAINS,
        BETTER,
    ),
    (
        "At equal size, a third layer pays (17k)",
        narrow,
        shallow,
        GAINS,
        BETTER,
    ),
    (
        "At two layers, 3x the parameters pay",
        wide_2,
        small_2,
        GAINS,
        BETTER,
    ),
    (
        "At three layers, 3x the parameters pay",
        large_3,
        small_3,
        GAINS,
        BETTER,
    ),
]
OPPOSITE = {BETTER: WORSE, WORSE: BETTER}
claim_list = [tables.Claim(*claim, OPPOSITE[claim[-1]]) for claim in claims]
claim_table = tables.claims_table(
    claim_list,
    pd.concat([measured, controlled], ignore_index=True),
    means,
    measured_on=f"{len(seeds)} seeds × {len(backends)} backends",
)

# %% [markdown]
# Notebook 8 repeated the article's models on 60,000 images of Fashion-MNIST (5 seeds, JAX, its
# own training settings). The last column gives each claim's verdict there, read the same way from
# notebook 8's comparisons at its largest size; "not tested" where notebook 8 makes no such
# comparison (it compares each model with PCA and with the one-layer model, and has no controls).

# %%
size_result = size_study.load_saved(Path("results/size_study"))
largest = max(size_result.config.sizes)
full_size = size_study.verdicts_by_size(size_result)
full_size = full_size[full_size["train_size"] == largest]
FULL_SIZE = f"Fashion {largest:,}"
claim_table[FULL_SIZE] = tables.verdicts_elsewhere(claim_list, full_size)

# %% [markdown]
# The article ends with a warning it does not test: deeper models may **overfit**. Notebook 7 tested
# it with one seed per depth on four fifths of the training images, and with five seeds of the
# deepest model on 300 images. Below, "holds" means "seen in that one run", or "seen in every seed",
# without a statistical test; a run overfits when its validation loss ends more than 0.002 above
# its lowest.

# %%
saved_runs = study.backend_directory(
    Path("results/going_deeper"), study.REFERENCE_BACKEND
)
histories = study.saved_histories(saved_runs)  # file name -> loss curves
reports = {
    name: training.overfitting(history)
    for name, history in histories.items()
}
deep = {depth: reports.get(study.model_name(depth)) for depth in (3, 4, 5)}
small = [  # one run per seed: seed 42's file has no seed in its name
    report
    for name, report in reports.items()
    if name.startswith("Autoencoder_5-300-images-no-remedy")
]
verdicts = pd.concat(
    [claim_table, tables.overfitting_claims(deep, small)], ignore_index=True
)
verdicts[FULL_SIZE] = verdicts[FULL_SIZE].fillna(tables.NOT_TESTED)
verdicts.set_index("claim").drop(columns=FULL_SIZE)

# %% [markdown]
# And each claim's verdict on the course's digits beside the one at full size:

# %%
verdicts.set_index("claim")[["verdict", FULL_SIZE]].rename(
    columns={"verdict": "digits 4,000"}
)

# %% [markdown]
# **What the course found.** On the course's 4,000 digits the article's deeper models are clearly
# better: each reconstructs and keeps neighbourhoods clearly better than the one before. The
# controls say why. At equal size a third layer was not shown to pay on any of those measures,
# while about three times the parameters paid, with two layers and with three. So on our data the
# article's answer, "add layers", answers another question: "add parameters". The two-layer model
# already reconstructs clearly better than PCA, but only the three-layer model also keeps the
# neighbourhoods clearly better than PCA. No model forms **separate clusters**: PCA's silhouette is
# clearly higher than every autoencoder's, which contradicts "three layers beat PCA on every
# measure". Overfitting did not appear on four fifths of the course's training images, but did,
# late in training, with 300, for each of five seeds.
#
# **At full size, several verdicts change.** On 60,000 Fashion-MNIST images the one-layer model is
# no longer worse than PCA on every measure (it is clearly better on at least one), two layers are
# not shown to beat one, and the two- and three-layer models beat PCA on every measure they are
# tested on, the silhouette included. Notebook 8 changed more than the data: its settings, its
# number of updates, the backend and the seeds differ too (it lists every difference), so these
# are differences still to explain, not yet effects of more data.

# %% tags=["remove-cell"]
by_claim = dict(zip(verdicts["claim"], verdicts["verdict"]))
environment.claim(
    by_claim["Three layers reconstruct better"] == "holds"
    and by_claim["Three layers keep neighbourhoods"] == "holds"
    and by_claim["Two layers are better than one"] == "holds",
    "each deeper article model reconstructs and keeps neighbourhoods "
    "clearly better",
)
environment.claim(
    by_claim["At equal size, a third layer pays (52k)"] == "not shown"
    and by_claim["At equal size, a third layer pays (17k)"] == "not shown"
    and by_claim["At two layers, 3x the parameters pay"] == "holds"
    and by_claim["At three layers, 3x the parameters pay"] == "holds",
    "at equal size a third layer is not shown to pay, while three times "
    "the parameters pay at two layers and at three",
)
at_full_size = dict(zip(verdicts["claim"], verdicts[FULL_SIZE]))
environment.claim(
    at_full_size["One layer: blurred digits, no clusters"] == "contradicted"
    and at_full_size["Two layers are better than one"] == "not shown"
    and at_full_size["Two layers reconstruct better than PCA"] == "holds"
    and at_full_size["Two layers keep neighbourhoods better"] == "holds"
    and at_full_size["Three layers beat PCA on every measure"] == "holds",
    "at full size the one-layer model is clearly better than PCA on some "
    "measure, two layers are not shown to beat one, and the deeper models "
    "beat PCA on every measure they are tested on",
    ", ".join(
        f"{claim}: {verdict}" for claim, verdict in at_full_size.items()
    ),
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
    "no model forms separate clusters: the silhouette claim of three layers "
    "is not shown",
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
    and all(report["best_epoch"] > report["epochs"] / 2 for report in small)
    and len(small) == 5,
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
# | **autoencoder** | a network trained to give back its input through a narrow middle layer; needs no labels (notebook 1) |
# | **encoder**, **decoder** | the half that turns 784 pixels into a few numbers, the code, and the half that rebuilds the pixels from it, here a mirror of the encoder |
# | **latent code**, **latent space** | the encoder's numbers for one image, and the space of all codes; with 2 numbers it can be plotted |
# | **`latent_dim`** | how many numbers the code has: 2 in the article and every notebook |
# | **depth** | the encoder's layers, the code layer included: 1, 2 and 3 for the article's models |
# | **parameters** | the weights and biases a model learns: `m × n + n` for a `Dense` layer from `m` inputs to `n` units |
# | **reconstruction** | the image as the autoencoder gives it back: the decoder's output for its code |
# | **BCE**, **MSE** | binary cross-entropy (every model's training loss) and mean squared difference between the pixels and their reconstructions; lower is better |
# | **kNN accuracy** | share of test codes whose 5 nearest training codes mostly carry their label; 0.1 is chance |
# | **trustworthiness** | how far neighbours in the code were neighbours among the pixels; no labels; 1 is perfect, about 0.5 random (Venna & Kaski, 2001) |
# | **silhouette** | how much closer each code is to its own digit's codes than to the nearest other digit's, −1 to 1; near 0: touching clusters (Rousseeuw, 1987) |
# | **PCA** | principal component analysis: the best *linear* 2-number code, the baseline to beat (notebook 1) |
# | **epoch** | one training pass over all training images |
# | **seed** | fixes a run's random start and shuffling; another seed gives another, equally valid, run |
# | **Fashion-MNIST** | 70,000 grey 28 × 28 pictures of clothes in ten classes (Zalando, 2017), in MNIST's format and split; notebook 8's data, since full MNIST cannot ship with the course |
# | **training, validation, test images** | learned from; held out of training to choose settings and watch for overfitting; used only to report, never to choose |
# | **overfitting** | learning the training images by heart: training loss falls while validation loss rises (notebook 7) |
# | **early stopping** | stopping when the validation loss has not improved for a set number of epochs, keeping the best weights |
# | **dropout** | switching hidden units off at random in training, so no unit can rely on another |
# | **standard deviation**, **standard error** | the spread of single runs, and the uncertainty of their mean: sd / √n for n runs; more seeds shrink the standard error, not the spread |
# | **confidence interval** | a range for a mean (or a gain) from the runs; a 95% interval is made so that 95% of such intervals contain the true value |
# | **p-value** | the chance of a difference at least as large as the one measured if the true means were equal, so that only luck (here, the seeds) set them apart |
# | **Welch's t-test** | could two sets of runs differ by chance? It does not assume equal spreads (Welch, 1947) |
# | **Holm's correction** | adjusts many tests' p-values so the chance of even one false "clearly" stays below 5% (Holm, 1979) |
# | **clearly better, not shown** | the verdicts: a Holm-adjusted p-value below 0.05, or not; "not shown" is not "equal" |
# | **backend** | the library Keras computes with (TensorFlow, JAX or PyTorch); each draws its own random numbers from a seed |

# %% [markdown]
# ## The article's own slips
# Read as a reviewer would, the article makes two slips that the course's measurements expose:
#
# - It says its three models "only depend on the number of hidden layers", every other
#   hyperparameter unchanged. But the layers bring their own widths and parameters: 3,922, 16,526
#   and 51,726. That is the confound notebook 6's controls take apart, and on our data the
#   parameters, not the layers, made the difference.
# - It reads "mostly separate clusters" from the three-layer latent space by eye. No measure
#   bears that out: the silhouette stays near zero, below PCA's, and the kNN accuracy gives about
#   half the test digits a wrong label from their neighbours.
#
# ## The next questions
# The article varied one setting, the number of hidden layers, and held the others fixed; each of
# the others it names is a question of its own, and the course's own results add more.
#
# - **The size of the code.** With 3 to 10 numbers instead of 2 the decoder has more to work with:
#   do the reconstructions improve, and does depth still pay as much? (The latent measures work in
#   any dimension; only the pictures need 2.)
# - **The activation function.** Would another hidden activation than ReLU (tanh, say) change the
#   verdicts, and why did a ReLU code collapse for some seeds (notebook 2)?
# - **Depth at equal size, further out.** Notebook 6's controls found no gain from a third layer at
#   equal size, for two sizes, on 4,000 images and 30 epochs. Does depth pay at equal size for
#   much deeper models, with more data, or trained to convergence?
# - **Why the verdicts change at full size.** On 60,000 Fashion-MNIST images several verdicts
#   differ from the digits' (above). Notebook 8 changed the data, the settings, the number of
#   updates, the backend and the seeds at once: which of them is it? Full MNIST with the course's
#   settings would separate the data from the rest.
# - **Convolutional autoencoders.** Dense layers ignore that neighbouring pixels belong together;
#   convolutional layers use it, with far fewer parameters
#   ([Masci et al., 2011](https://doi.org/10.1007/978-3-642-21735-7_7)).
# - **Variational autoencoders** learn a code laid out as a probability distribution, from which new
#   digits can be drawn ([Kingma & Welling, 2014](https://doi.org/10.48550/arXiv.1312.6114)).
#
# The same method answers each: change one thing, hold the rest fixed, repeat with several seeds,
# choose nothing on the test images, measure more than one thing, and test the differences.

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
# **Learning goal**: design a comparison that can answer its question, by the method above.
#
# **Task**: pick one of the next questions and set `plan_9_2` to a dict with six fields:
#
# - `"question"`: the question, in a sentence;
# - `"changed"`: the one setting you change (for example `"latent_dim"` or `"depth"`);
# - `"fixed"`: the settings you hold fixed (the course's are `depth`, `latent_dim`, `epochs`,
#   `batch_size`, `learning_rate`, `optimizer` and `data`, the training images);
# - `"measures"`: the measures you compare, named as in the table above;
# - `"seeds"`: the seeds each setting is trained with;
# - `"chosen_on"`: the images that decide training choices (epochs, early stopping): `"validation"`,
#   `"training"` or `"test"`.

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
# Answer one of the next questions with your own experiment, written up in a new notebook; the
# course's tools answer two directly:
#
# 1. **Does a wider code change the value of depth?** Train depths 1 and 3 with `latent_dim` 2 and,
# say, 3, 5 and 10: is depth's gain as large? 2. **Width or depth at equal parameters?** Compare
# `Autoencoder_3` with a model `784-w-2-w-784`
#    whose width `w` gives about as many parameters (`models.expected_parameter_count` counts them).
#
# The tools: `models.build_autoencoder(hidden_units, latent_dim=..., seed=...)` builds a model,
# `data.split_validation` holds out validation images, `study.train_and_measure` trains a model and
# measures it on the test images, and `significance.compare_runs(runs, pairs)` runs Welch's t-tests with
# Holm's correction on runs, each a dict with a `"model"` name and the five measures.
#
# **Rubric** for your project, or a classmate's:
#
# | criterion | beginning | developing | accomplished |
# | --- | --- | --- | --- |
# | **question** | vague ("is depth good?") | answerable, but the deciding measure unnamed | one answerable question, its deciding measures named in advance |
# | **fair design** | several settings change at once | one change, but something else (epochs, data) differs | one change, all else fixed and listed, settings chosen on validation images |
# | **seeds and statistics** | one run per setting | several seeds, means compared by eye | at least 3 seeds (better 10), Welch's t-test with Holm's correction, verdicts "clearly" or "not shown" |
# | **honest reporting** | only the measures that fit the hope | all measures, but "not shown" read as "equal" | every measure and verdict, the data and settings stated, limits named |
# | **clarity** | numbers without a table or figure | a table, little explanation | a table and a figure, each explained in a sentence; code that runs top to bottom |
#
# **Starter.** The cell below checks that the pieces fit, with one seed, **2 epochs** and two codes
# at depth 3. It runs in seconds; its numbers are **not a result**, which needs the course's 30
# epochs and several seeds per setting.

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
# course's 30 epochs, add the depths you compare, and pass the runs and the pairs to compare to
# `significance.compare_runs`, for example `[("depth3_code3", "depth3_code2")]`.

# %% [markdown]
# ## Summary
# - On the course's data, each deeper article model clearly improved the reconstructions and the
#   neighbourhoods of the 2-number codes; the parameter-matched controls show that its size, not
#   its depth, did it. No model made separate clusters, and PCA's silhouette stayed clearly ahead.
# - At full size, on Fashion-MNIST, several of these verdicts change; notebook 8 changed more than
#   the data, so why is still open.
# - Overfitting did not bite on four fifths of the training images; it did with 300, for every
#   one of five seeds.
# - A verdict holds only for the data, settings and seeds it was measured on.
#
# **References**: every work the course cites, with its link, is on the book's
# [References](../book/references.md) page.
