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
# # 6. Measuring latent quality
#
# The article judges its latent spaces by eye. Eyes are easily fooled by colours and by one lucky
# run, so this notebook puts numbers on the three models and on the PCA baseline, repeats every
# training with ten seeds, and tests the article's claims against the numbers.
#
# **You will**: see what each measure rewards on pictures, read the study's table and figure,
# learn which of the article's claims hold on our data, by how much, and how sure we can be, and
# then make the measures disagree yourself.

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

import numpy as np

from course_utils import (
    compare,
    data,
    environment,
    metrics,
    plots,
    study,
    training,
)

environment.setup(seed=42)

# %%
mnist = data.load_mnist()
x_train, y_train = mnist.x_train, mnist.y_train
x_test, y_test = mnist.x_test, mnist.y_test

# %% [markdown]
# ## Five measures
# [Notebook 1](01_introduction.ipynb) explained the five measures, with their formulas: two for the
# **reconstructions**, three for the **latent space**. Their one-line reminders:

# %%
for name, description in metrics.METRIC_DESCRIPTIONS.items():
    print(name)
    print(textwrap.indent(textwrap.fill(description, width=68), "    "))

# %% [markdown]
# ### The latent measures on pictures
# Three made-up 2-D "latent spaces" for the real test labels: ten well separated clusters, ten
# clusters that touch, and pure noise. Recall from notebook 1: kNN accuracy only asks whether each
# point's *nearest* neighbours share its label; the silhouette asks whether each point is closer
# to its *whole* cluster than to the nearest other cluster.

# %% mystnb={"figure": {"caption": "Three made-up latent spaces: tight clusters, blurred clusters and noise.", "name": "fig-6-toy-spaces"}, "image": {"alt": "Three scatter plots of made-up codes: ten clusters on a ring, the same clusters blurred, and structureless noise. The colour and the bold number at each cluster's centre give the digit."}} tags=["hide-input"]
rng = np.random.default_rng(0)


def ring_of_clusters(
    labels: np.ndarray, radius: float, noise: float
) -> np.ndarray:
    """Ten clusters on a circle, one per digit, blurred by noise."""
    angles = 2 * np.pi * labels / 10
    centres = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return radius * centres + rng.normal(scale=noise, size=(len(labels), 2))


shapes = {"separated": (4.0, 0.3), "touching": (1.5, 0.6)}
toy_codes = {
    name: ring_of_clusters(y_test, *shape) for name, shape in shapes.items()
}
toy_train_codes = {
    name: ring_of_clusters(y_train, *shape)
    for name, shape in shapes.items()
}
toy_codes["noise"] = rng.normal(size=(len(y_test), 2))
toy_train_codes["noise"] = rng.normal(size=(len(y_train), 2))
plots.plot_latent_spaces(
    toy_codes, y_test, title="Three made-up latent spaces"
)

# %%
for name, codes in toy_codes.items():
    knn = metrics.knn_accuracy(
        toy_train_codes[name], y_train, codes, y_test
    )
    silhouette = metrics.latent_silhouette(codes, y_test)
    measured = f"kNN accuracy {knn:.3f}, silhouette {silhouette:+.3f}"
    print(f"{name:>10}: {measured}")

# %% [markdown]
# Touching clusters keep a high kNN accuracy, because most neighbours still share the label, but
# their silhouette falls towards zero, because the clusters are not apart. Noise scores at chance
# on both. **Trustworthiness** asks something else (notebook 1): are the points that are
# neighbours in the 2-D code also neighbours among the 784 pixels? Made-up codes have no pixels
# behind them, so we compare PCA's codes with random ones:

# %%
pca = metrics.pca_representation(x_train)
random_codes = rng.normal(size=(len(x_test), 2))
pca_trust = metrics.latent_trustworthiness(x_test, pca.encode(x_test))
random_trust = metrics.latent_trustworthiness(x_test, random_codes)
print(f"trustworthiness of PCA codes:    {pca_trust:.3f}")
print(f"trustworthiness of random codes: {random_trust:.3f}")

# %% [markdown]
# ## The study: three depths, ten seeds, one baseline
# `study.load_or_run` trains each depth with seeds 0 to 9 under the course settings (30 epochs,
# batch 32, Adam, linear code), measures every run and PCA, and saves the tables and the figure in
# `results/depth_study/`, one folder per Keras backend. It loads them instead when the code,
# settings and data that made them are unchanged. Otherwise it first estimates how long training
# would take here; above two minutes (full MNIST, say) it shows the book's saved study instead and
# tells you how to run your own. The same study runs from a terminal: `python -m course_utils study`.

# %%
config = study.StudyConfig(
    depths=(1, 2, 3),
    seeds=tuple(range(10)),
    settings=training.TrainingSettings(),
)
study_dir = Path("results/depth_study")
result = study.load_or_run(config, mnist, study_dir)
result.table()

# %% mystnb={"figure": {"caption": "Each measure against depth, the mean and standard deviation over the seeds; PCA as a dashed line.", "name": "fig-6-study"}, "image": {"alt": "Five small charts, one per measure, of the mean over seeds against the number of hidden layers, with error bars and PCA's level as a dashed line."}} tags=["hide-input"]
study.study_figure(result.summary())

# %% [markdown]
# The latent spaces behind these numbers, for one seed (42, as in notebooks 2 to 5):

# %% mystnb={"figure": {"caption": "The latent spaces of the three models trained with seed 42.", "name": "fig-6-latent-spaces"}, "image": {"alt": "Three scatter plots, one per autoencoder, of the test digits in its latent space. The colour and the bold number at each cluster's centre give the digit."}} tags=["hide-input"]
trained = compare.train_article_models(
    mnist, training.TrainingSettings(), seed=42, reuse=True, verbose=False
)
codes = {
    name: training.encode(result_.autoencoder, x_test)
    for name, result_ in trained.items()
}
plots.plot_latent_spaces(codes, y_test, title="Latent spaces, seed 42")

# %% [markdown]
# ## Which of the article's claims hold?
# Each comparison below sets a model against a baseline on one measure. The **gain** is the
# model's mean over its ten seeds minus the baseline's, signed so that a positive gain is better
# (for the two losses, lower is better). For each comparison:
#
# - **Welch's t-test** (`scipy.stats.ttest_ind` with `equal_var=False`) asks whether the two sets
#   of ten runs could differ by chance. PCA has no random start and gives the same numbers for
#   every seed, so against PCA the test becomes the one-sample t-test of the model's runs.
# - **ci_low, ci_high**: the 95% confidence interval of the gain from the same test.
# - **Holm's correction**: we make 5 comparisons × 5 measures = 25 tests, and the more tests, the
#   more chance that one of them looks clear by luck. Holm's step-down method adjusts the p-values
#   (`p_holm`) so that the chance of even one false "clearly" among all 25 stays below 5%.
# - The **verdict** is "clearly better" or "clearly worse" when `p_holm` is below 0.05, and "not
#   shown" otherwise: ten seeds cannot tell the two apart, which is not the same as "equal".

# %%
# each model against the one before it, and against PCA
pairs = compare.CLAIM_COMPARISONS
comparisons = study.compare_runs(result.runs, pairs)
columns = ["gain", "ci_low", "ci_high", "p_holm", "verdict"]
comparisons.set_index(["model", "baseline", "metric"])[columns].round(3)

# %% [markdown]
# **Do the verdicts depend on the backend?** Keras can compute with TensorFlow, JAX or PyTorch.
# Each backend draws its own random numbers from the same seed, so the same training gives
# slightly different numbers on another backend, and a verdict that is only just clear could
# change. The study was therefore made on two backends, TensorFlow and JAX, ten seeds each, and
# both are saved with the course. For every comparison the **settled** verdict is the one both
# studies agree on, or "not settled" where they disagree; the table below shows the settled
# verdicts, and the text relies on nothing else. If you run this notebook on another backend,
# expect the numbers of your own tables above to differ slightly from the book's.

# %%
saved_studies = {
    backend: study.load_saved(study_dir, backend)
    for backend in ("tensorflow", "jax")
}
by_backend = study.verdicts_by_backend(saved_studies, pairs)
agreed = (by_backend["settled"] != study.NOT_SETTLED).sum()
print(f"The two backends agree on {agreed} of {len(by_backend)} verdicts.")
verdicts = by_backend.pivot(
    index=["model", "baseline"], columns="metric", values="settled"
)
verdicts[list(study.METRIC_NAMES)]

# %% [markdown]
# Read against the article (the numbers are in the study table above):
#
# 1. **"One hidden layer: unclear reconstructions, no separate clusters."** Holds, and more: the
#    one-layer model is clearly worse than PCA on every measure.
# 2. **"Two layers are better than one."** Holds: clearly better on every measure, on both backends.
# 3. **"Three layers: reconstructions close to the originals, mostly separate clusters."** The
#    three-layer model is clearly better than the two-layer one in reconstruction, kNN accuracy and
#    trustworthiness. Its silhouette gain over two layers is not shown, and its mean silhouette
#    stays near zero: the clusters touch. "Mostly separate clusters" is not what we measure; "the
#    best-separated of the three" is.
# 4. **Every autoencoder should beat PCA.** Only the three-layer model beats PCA clearly in
#    reconstruction, kNN accuracy and trustworthiness. The two-layer model reconstructs clearly
#    better than PCA, but its kNN accuracy and trustworthiness are not shown to differ from PCA's.
#    Every autoencoder has a clearly *lower* silhouette than PCA.
#
# These verdicts are for the course's 4,000 training images and 30 epochs; full MNIST may well
# separate the digits better. Each time the notebook runs, it checks every statement against the
# settled verdicts of the two saved studies, so the text cannot drift away from the numbers.


# %% tags=["remove-cell"]
def settled(model: str, baseline: str, metric: str) -> str:
    """The verdict both backends' studies agree on, or "not settled"."""
    row = by_backend[
        (by_backend["model"] == model)
        & (by_backend["baseline"] == baseline)
        & (by_backend["metric"] == metric)
    ]
    return row["settled"].item()


better, worse = "clearly better", "clearly worse"
environment.claim(
    all(
        settled("Autoencoder_1", study.PCA_NAME, metric) == worse
        for metric in study.METRIC_NAMES
    ),
    "one layer is clearly worse than PCA on every measure",
)
environment.claim(
    all(
        settled("Autoencoder_2", "Autoencoder_1", metric) == better
        for metric in study.METRIC_NAMES
    ),
    "two layers are clearly better than one on every measure",
)
environment.claim(
    all(
        settled("Autoencoder_3", "Autoencoder_2", metric) == better
        for metric in ("bce", "knn_accuracy", "trustworthiness")
    ),
    "three layers are clearly better than two in reconstruction, "
    "kNN accuracy and trustworthiness",
)
environment.claim(
    settled("Autoencoder_3", "Autoencoder_2", "silhouette") == "not shown",
    "the silhouette gain from two to three layers is not shown",
)
silhouettes = {
    backend: next(
        row["silhouette_mean"]
        for row in saved.summary()
        if row["model"] == "Autoencoder_3"
    )
    for backend, saved in saved_studies.items()
}
environment.claim(
    all(abs(value) < 0.1 for value in silhouettes.values()),
    "the three-layer model's mean silhouette is near zero",
    ", ".join(
        f"{backend} {value:+.3f}" for backend, value in silhouettes.items()
    ),
)
environment.claim(
    all(
        settled("Autoencoder_3", study.PCA_NAME, metric) == better
        for metric in ("bce", "knn_accuracy", "trustworthiness")
    ),
    "three layers beat PCA clearly in reconstruction, kNN accuracy and "
    "trustworthiness",
)
environment.claim(
    settled("Autoencoder_2", study.PCA_NAME, "bce") == better,
    "two layers reconstruct clearly better than PCA",
)
environment.claim(
    all(
        settled("Autoencoder_2", study.PCA_NAME, metric) == "not shown"
        for metric in ("knn_accuracy", "trustworthiness")
    ),
    "the two-layer model's kNN accuracy and trustworthiness are not shown "
    "to differ from PCA's",
)
environment.claim(
    all(
        settled(name, study.PCA_NAME, "silhouette") == worse
        for name in ("Autoencoder_1", "Autoencoder_2", "Autoencoder_3")
    ),
    "every autoencoder has a clearly lower silhouette than PCA",
)
environment.claim(
    not (by_backend["settled"] == study.NOT_SETTLED).any(),
    "the two backends agree on every verdict",
)

# %% [markdown]
# ## Why the measures disagree
# The three-layer model's codes give a kNN accuracy five times the chance level, yet a silhouette
# near zero. Both are right, because they ask different questions. kNN accuracy looks only at the
# **five nearest** codes of each test digit: in the latent plots, most points sit among points of
# their own colour. The silhouette compares each code's average distance to **all** codes of its
# own digit with that to all codes of the nearest other digit. In our latent spaces the clusters
# are long arms and fans of very different sizes that meet at a common centre: a point at the tip
# of the long arm of 1s is far from most other 1s, and points near the centre are as close to other
# digits as to their own. The average comes out near zero even where the neighbourhoods are pure.
#
# Trustworthiness asks a third question: does the code keep the **pixel-space** neighbourhoods? It
# grows steadily with depth, so deeper encoders keep more of the structure of the images, whether or
# not that structure follows the labels.
#
# %% [markdown]
# ## Exercises
# Each exercise has a learning goal and a task. Write your answer in the cell below the task, run
# it, then run the check cell after it: the check says what is right and what to fix. Run it as
# often as you like.

# %%
from scipy import stats

from course_utils.exercises import checks, measure_explorer

# %% [markdown]
# (ex-6-1)=
# ### Exercise 6.1: make the measures disagree
# **Learning goal**: see with your own hands that kNN accuracy asks about nearest neighbours and
# the silhouette about whole clusters, so that one can be high while the other is near zero.
#
# **Task**: the explorer below draws a made-up 2-D latent space, ten clusters on a ring, and
# measures it again whenever you move a slider. Find settings where the **kNN accuracy is at least
# 0.9 while the silhouette is below 0.1**: move the sliders, or call
# `explorer_6_1.set(distance=..., spread=..., arm_length=..., split=...)` in the cell below. Then
# run the check cell: it measures the explorer's current settings again. Which slider did it?
# Does the picture remind you of a latent space of notebooks 2 to 4?

# %% tags=["nbval-ignore-output"]
explorer_6_1 = measure_explorer.MeasureExplorer()
explorer_6_1

# %% tags=["solution"]
# Narrow clusters keep the neighbourhoods pure; drawing a third of each
# digit in a second place, across the ring, takes its cluster apart.
measures_6_1 = explorer_6_1.set(split=0.35, spread=0.2)
knn_6_1, silhouette_6_1 = measures_6_1.values()
print(f"kNN accuracy {knn_6_1:.3f}, silhouette {silhouette_6_1:+.3f}")

# %%
checks.check_measure_explorer(explorer_6_1)

# %% [markdown]
# (ex-6-2)=
# ### Exercise 6.2: how sure is a mean over ten seeds?
# **Learning goal**: the spread over seeds is why the study trains ten of each model; a 95%
# confidence interval of a mean from a few runs uses the standard error and the t distribution.
#
# **Task**: `result.runs` holds one row (a dictionary) per model and seed. Take the kNN accuracy
# of `Autoencoder_3` in each of its seeds and compute the 95% confidence interval of its mean with
# SciPy (`stats`, imported above: the t distribution with the standard error). Set
# `interval_6_2` to `(low, high)`. Does PCA's kNN accuracy lie inside it?

# %% tags=["solution"]
knn_3 = [
    run["knn_accuracy"]
    for run in result.runs
    if run["model"] == "Autoencoder_3"
]
interval_6_2 = stats.t.interval(
    0.95, len(knn_3) - 1, loc=np.mean(knn_3), scale=stats.sem(knn_3)
)
low_6_2, high_6_2 = interval_6_2
print(
    f"mean {np.mean(knn_3):.4f}, 95% interval ({low_6_2:.4f}, {high_6_2:.4f})"
)

# %%
checks.check_seed_interval(interval_6_2, result.runs)

# %% [markdown]
# ## Summary
# - Reconstruction error falls clearly with every hidden layer; that claim of the article holds.
# - Latent separation grows with depth: over ten seeds, and on both backends, each added layer gives
#   a clearly higher kNN accuracy and trustworthiness. Only the three-layer model clearly beats PCA
#   on them.
# - The one-layer autoencoder is clearly worse than PCA on every measure; no autoencoder forms
#   separate clusters (silhouette near zero, below PCA's).
# - One seed can mislead, and so can three: name the test, correct for the number of comparisons,
#   and check that the verdict survives a change of backend.
# - kNN accuracy and silhouette answer different questions: pure neighbourhoods are not compact,
#   separate clusters.
#
# Next: [going deeper](07_going_deeper.ipynb).
