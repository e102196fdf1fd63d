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
import pandas as pd

from course_utils import (
    compare,
    data,
    environment,
    metrics,
    plots,
    significance,
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
# Touching clusters keep a kNN accuracy far above chance (0.1), because many neighbours still
# share the label, though about half the digits now get a wrong one; their silhouette falls towards
# zero, because the clusters are not apart. Noise scores at chance on both. **Trustworthiness** asks something else (notebook 1): are the points that are
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
# ## The study: three depths, two controls, ten seeds, one baseline
# `study.load_or_run` trains each depth with seeds 0 to 9 under the course settings (30 epochs,
# batch 32, Adam, linear code), and with them two **control** models that the section "Is it
# depth, or size?" below explains. It measures every run and PCA, and saves the tables and the figure in
# `results/depth_study/`, one folder per Keras backend. It loads them instead when the code,
# settings and data that made them are unchanged. Otherwise it first estimates how long training
# would take here; above two minutes (full MNIST, say) it shows the book's saved study instead and
# tells you how to run your own. The same study runs from a terminal: `python -m course_utils study`.

# %%
config = study.StudyConfig(
    depths=(1, 2, 3),
    seeds=tuple(range(10)),
    settings=training.TrainingSettings(),
    controls=tuple(study.CONTROLS),
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
# ## Statistics in brief
# The verdicts below rest on four ideas. Here they are on the kNN accuracy of `Autoencoder_2` in
# each of its runs, one run per seed.
#
# - **Standard deviation** (sd): the spread of the runs, how far one run typically lands from
#   their mean. It is why one run can mislead.
# - **Standard error** (se = sd / √n for n runs): the uncertainty of their *mean*, how far it would
#   typically move with n new seeds. More runs shrink the se, not the sd.

# %%
from scipy import stats

# Autoencoder_2's kNN accuracy in each of its runs, one run per seed
knn_2 = np.array(
    [
        run["knn_accuracy"]
        for run in result.runs
        if run["model"] == "Autoencoder_2"
    ]
)
n_runs = len(knn_2)
mean_2, sd_2 = np.mean(knn_2), np.std(knn_2, ddof=1)  # ddof=1: sample sd
se_2 = sd_2 / np.sqrt(n_runs)
print(f"{n_runs} runs: mean {mean_2:.4f}")
print(f"standard deviation {sd_2:.4f}: how far one run lands from the mean")
print(f"standard error {se_2:.4f}: how far their mean may be off")

# %% [markdown]
# - **95% confidence interval**: mean ± t × se, with t from the t distribution for n − 1 degrees
#   of freedom. Made this way, 95% of intervals contain the true mean; it is not where 95% of the
#   runs lie.
# - **p-value**: the chance of a difference at least as large as the one measured *if the true
#   means were equal*, so that only the luck of the seeds set them apart. A small p-value says that
#   luck alone would rarely do it. Below, the runs are tested against PCA's score, the same in
#   every run (the one-sample t-test the table uses against PCA).

# %%
# t for 95% and n - 1 degrees of freedom; mean ± t × se
t_95 = stats.t.ppf(0.975, n_runs - 1)
low_2, high_2 = mean_2 - t_95 * se_2, mean_2 + t_95 * se_2
print(
    f"t = {t_95:.3f}; 95% confidence interval ({low_2:.4f}, {high_2:.4f})"
)
# PCA has no random start: its score is the same in every run
pca_knn = np.mean(
    [
        run["knn_accuracy"]
        for run in result.runs
        if run["model"] == study.PCA_NAME
    ]
)
test_2 = stats.ttest_1samp(knn_2, pca_knn)
inside = low_2 <= pca_knn <= high_2
print(f"PCA's kNN accuracy {pca_knn:.4f}, inside the interval: {inside}")
print(f"p-value of the difference from PCA: {test_2.pvalue:.3f}")

# %% [markdown]
# PCA's score lies inside the interval and the p-value is above 0.05: these seeds cannot tell this
# model's mean kNN accuracy from PCA's, so the verdict can only be "not shown". The interval and
# the uncorrected p-value always agree: the interval leaves out exactly the values whose p-value
# is below 0.05.
#
# **Why correct for many comparisons?** A test at 5% raises a false alarm (a "clearly better"
# where nothing differs) once in twenty. The table below makes one test per comparison and
# measure; if nothing differed, the chance of at least one false alarm among them would be
# 1 − 0.95^m for m independent tests: more likely than not (computed below). Holm's correction
# raises the p-values so that this chance stays below 5% for the whole table.

# %%
# one test per comparison and measure in the verdict table below
tests = len(compare.CLAIM_COMPARISONS) * len(study.METRIC_NAMES)
false_alarm = 1 - (1 - significance.SIGNIFICANCE) ** tests
print(
    f"{tests} tests, each at {significance.SIGNIFICANCE:.0%}. If nothing differs,"
)
print(f"the chance of at least one false alarm is {false_alarm:.0%}")

# %% tags=["remove-cell"]
environment.claim(
    inside and test_2.pvalue > significance.SIGNIFICANCE,
    "PCA's kNN accuracy lies inside Autoencoder_2's 95% interval, and the "
    "p-value of the difference is above 0.05",
    f"interval ({low_2:.4f}, {high_2:.4f}), PCA {pca_knn:.4f}, "
    f"p = {test_2.pvalue:.3f}",
)
environment.claim(
    false_alarm > 0.5,
    "a false alarm among the table's tests is more likely than not",
    f"{false_alarm:.0%}",
)

# %% [markdown]
# ## Which of the article's claims hold?
# Each comparison below sets a model against a baseline on one measure. The **gain** is the
# model's mean over its ten seeds minus the baseline's, signed so that a positive gain is better
# (for the two losses, lower is better). For each comparison:
#
# - **Welch's t-test** (`scipy.stats.ttest_ind` with `equal_var=False`) asks whether the two sets
#   of ten runs could differ by chance. PCA has no random start and gives the same numbers for
#   every seed, so against PCA the test becomes the one-sample t-test of the model's runs.
# - **ci_low, ci_high**: the 95% confidence interval of the gain from the same test, for this one
#   comparison on its own (not adjusted for the others).
# - **Holm's correction**: we make 5 comparisons × 5 measures = 25 tests, and the more tests, the
#   more chance that one of them looks clear by luck. Holm's step-down method adjusts the p-values
#   (`p_holm`) so that the chance of even one false "clearly" among all 25 stays below 5%.
# - The **verdict** is "clearly better" or "clearly worse" when `p_holm` is below 0.05, and "not
#   shown" otherwise: ten seeds cannot tell the two apart, which is not the same as "equal".
# - The interval and the verdict answer different questions. The interval says how large this
#   one gain may be; the verdict says which gains survive 25 looks at the data. So a row's
#   interval can exclude 0 while its verdict is "not shown": its gain would count on its own,
#   but not as one of 25.

# %%
# each model against the one before it, and against PCA
pairs = compare.CLAIM_COMPARISONS
comparisons = significance.compare_runs(result.runs, pairs)
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
by_backend = significance.verdicts_by_backend(saved_studies, pairs)
agreed = (by_backend["settled"] != significance.NOT_SETTLED).sum()
print(f"The two backends agree on {agreed} of {len(by_backend)} verdicts.")
verdicts = by_backend.pivot(
    index=["model", "baseline"], columns="metric", values="settled"
)
verdicts[list(study.METRIC_NAMES)]

# %% [markdown]
# Read against the article (the numbers are in the study table above):
#
# 1. **"One hidden layer: unclear reconstructions, no separate clusters."** Holds, and more: the
#    one-layer model is clearly worse than PCA on every measure, after 30 epochs ("Is 30 epochs
#    enough?" below says which of these verdicts longer training changes).
# 2. **"Two layers are better than one."** Holds: clearly better on every measure, on both backends.
#    But the two-layer model also has 4.2 times the parameters.
# 3. **"Three layers: reconstructions close to the originals, mostly separate clusters."** The
#    three-layer model (3.1 times the parameters of the two-layer one) is clearly better than the
#    two-layer one in reconstruction (both losses), kNN accuracy and trustworthiness, on both
#    backends. Its silhouette gain over two layers is not settled: not shown on TensorFlow,
#    clearly better on JAX. Its mean silhouette stays near zero on both: the clusters touch.
#    "Mostly separate clusters" is not what we measure; "the best-separated of the three" is.
# 4. **Every autoencoder should beat PCA.** Only the three-layer model beats PCA clearly in
#    reconstruction, kNN accuracy and trustworthiness. The two-layer model reconstructs clearly
#    better than PCA, but its kNN accuracy and trustworthiness are not shown to differ from PCA's.
#    Every autoencoder has a clearly *lower* silhouette than PCA.
#
# So the article's deeper models are better, and they are also larger: these verdicts cannot say
# whether the layer or the parameters did it. The next section asks. The verdicts are for the
# course's 4,000 training images and 30 epochs; notebook 8 repeats the study on 60,000 images of
# Fashion-MNIST. Each time the notebook runs, it checks every statement against the settled
# verdicts of the two saved studies, so the text cannot drift away from the numbers.


# %% tags=["remove-cell"]
def settled_in(table, model: str, baseline: str, metric: str) -> str:
    """The verdict both backends agree on in ``table``, or "not settled"."""
    row = table[
        (table["model"] == model)
        & (table["baseline"] == baseline)
        & (table["metric"] == metric)
    ]
    return row["settled"].item()


def settled(model: str, baseline: str, metric: str) -> str:
    """The settled verdict of one of the article's comparisons."""
    return settled_in(by_backend, model, baseline, metric)


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
        for metric in ("bce", "mse", "knn_accuracy", "trustworthiness")
    ),
    "three layers are clearly better than two in reconstruction, "
    "kNN accuracy and trustworthiness",
)
silhouette_step = by_backend[
    (by_backend["model"] == "Autoencoder_3")
    & (by_backend["baseline"] == "Autoencoder_2")
    & (by_backend["metric"] == "silhouette")
].iloc[0]
environment.claim(
    (silhouette_step["tensorflow"], silhouette_step["jax"])
    == ("not shown", better),
    "the silhouette gain from two to three layers is not shown on "
    "TensorFlow and clearly better on JAX, so not settled",
    f"{silhouette_step['tensorflow']} and {silhouette_step['jax']}",
)
sizes = {row["model"]: row["parameters"] for row in result.summary()}
environment.claim(
    round(sizes["Autoencoder_2"] / sizes["Autoencoder_1"], 1) == 4.2
    and round(sizes["Autoencoder_3"] / sizes["Autoencoder_2"], 1) == 3.1,
    "each deeper article model has 4.2 and then 3.1 times the parameters",
)
silhouettes = {
    backend: saved.mean("Autoencoder_3", "silhouette")
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
unsettled = by_backend[by_backend["settled"] == significance.NOT_SETTLED]
environment.claim(
    list(
        zip(unsettled["model"], unsettled["baseline"], unsettled["metric"])
    )
    == [("Autoencoder_3", "Autoencoder_2", "silhouette")],
    "the two backends disagree on one verdict only, the silhouette gain "
    "from two to three layers",
    ", ".join(map(str, zip(unsettled["model"], unsettled["metric"]))),
)

# %% [markdown]
# ## Is it depth, or size?
# In the article's models every added layer also adds parameters: 3,922, then 16,526, then
# 51,726. A model with more parameters can store more about the images, so a gain from one model
# to the next could come from the extra layer or from the extra parameters. The study separates
# the two with two **control** models, each within 2% of the size of the article model it
# matches:

# %%
study.control_table(result.summary())

# %% [markdown]
# That gives two questions, each asked twice:
#
# - **Depth at equal size**: `Autoencoder_3` against `Autoencoder_2_wide` (three hidden layers
#   against two, both about 52,000 parameters), and `Autoencoder_3_narrow` against
#   `Autoencoder_2` (three against two, both about 16,600).
# - **Size at equal depth**: `Autoencoder_2_wide` against `Autoencoder_2` (two layers, about 3.2
#   times the parameters), and `Autoencoder_3` against `Autoencoder_3_narrow` (three layers, 3.1
#   times).
#
# The 4 comparisons × 5 measures form one family of 20 tests: Welch's t-test on the ten seeds,
# Holm-adjusted, on each backend, and settled only where both backends agree. In the figure each
# line joins the models of one depth: a line's slope is what size does, and the vertical gap
# between the lines at the same size is what depth does.

# %% mystnb={"figure": {"caption": "Each measure against the number of parameters, one line per depth: the article's models and the two controls, mean and standard deviation over ten seeds.", "name": "fig-6-depth-or-size"}, "image": {"alt": "Five small charts, one per measure, with the number of parameters on a log scale. A single point for one hidden layer, a rising line for two hidden layers and another for three; the two lines lie almost on top of each other. PCA's level is a dashed line."}} tags=["hide-input"]
study.control_figure(result.summary())

# %%
controlled = significance.verdicts_by_backend(
    saved_studies, study.CONTROL_COMPARISONS
)
controlled.pivot(
    index=["model", "baseline"], columns="metric", values="settled"
)[list(study.METRIC_NAMES)]

# %% [markdown]
# At equal size, one more hidden layer made no difference that ten seeds can show: both depth
# comparisons are "not shown" on every measure, on both backends. At equal depth, about three
# times the parameters made reconstructions, kNN accuracy and trustworthiness clearly better,
# with two layers and with three, on both backends. (The silhouette gains of size are not
# shown, or not settled.)
#
# So, on our data, **the article's deeper models are better because they are larger, not because
# they are deeper**. "Not shown" is not "zero": a small effect of depth may hide in the spread of
# the seeds. How small? On the reconstruction error (BCE), the 95% intervals of both depth gains
# end below where the intervals of both size gains begin, on both backends: whatever a third
# layer adds at equal size, it is less than what about three times the parameters add at equal
# depth. The controls test two sizes and one kind of extra layer, on 4,000 images and 30 epochs;
# a much deeper or much wider model, or more data, may tell another story.


# %% tags=["remove-cell"]
environment.claim(
    all(
        abs(sizes[name] / sizes[control.matches] - 1)
        <= study.SIZE_TOLERANCE
        for name, control in study.CONTROLS.items()
    ),
    "each control is within 2% of the size of the model it matches",
)
environment.claim(
    all(
        settled_in(controlled, model, baseline, metric) == "not shown"
        for model, baseline in study.DEPTH_AT_EQUAL_SIZE
        for metric in study.METRIC_NAMES
    ),
    "at equal size, one more layer is not shown to differ on any measure, "
    "on both backends",
)
environment.claim(
    all(
        settled_in(controlled, model, baseline, metric) == better
        for model, baseline in study.SIZE_AT_EQUAL_DEPTH
        for metric in ("bce", "mse", "knn_accuracy", "trustworthiness")
    ),
    "at equal depth, about three times the parameters are clearly better "
    "in reconstruction, kNN accuracy and trustworthiness, on both backends",
)
environment.claim(
    all(
        settled_in(controlled, model, baseline, "silhouette") != better
        for model, baseline in study.SIZE_AT_EQUAL_DEPTH
    ),
    "the silhouette gains of size are not shown, or not settled",
)
ratios = [
    sizes[model] / sizes[baseline]
    for model, baseline in study.SIZE_AT_EQUAL_DEPTH
]
environment.claim(
    [round(ratio, 1) for ratio in ratios] == [3.2, 3.1],
    "size at equal depth means about 3.2 and 3.1 times the parameters",
    ", ".join(f"{ratio:.2f}" for ratio in ratios),
)
for backend, saved in saved_studies.items():
    bce = significance.compare_runs(
        saved.runs, study.CONTROL_COMPARISONS, ["bce"]
    )
    bce = bce.set_index(["model", "baseline"])
    depth_high = max(
        bce.loc[pair, "ci_high"] for pair in study.DEPTH_AT_EQUAL_SIZE
    )
    size_low = min(
        bce.loc[pair, "ci_low"] for pair in study.SIZE_AT_EQUAL_DEPTH
    )
    environment.claim(
        depth_high < size_low,
        f"on {backend}, the BCE intervals of the depth gains end below those "
        "of the size gains",
        f"depth up to {depth_high:.4f}, size from {size_low:.4f}",
    )

# %% [markdown]
# ## Is 30 epochs enough?
# Notebook 2 saw the one-layer model's loss still falling after 30 epochs, and the study trains
# every model for 30. Is `Autoencoder_1` worse than PCA only because it stopped too early? A fair
# test gives each model the training it needs. The **converged study**
# (`study.CONVERGED_STUDY`) trains each article model again, ten seeds on both backends. It holds
# out a fifth of the training images for validation (never the test images), stops once the
# validation loss has not fallen for 10 epochs, keeps the weights of the best epoch, and stops
# at 300 epochs at the latest. The models learn from 3,200 images instead of 4,000, but for as
# long as they need; PCA still learns from all 4,000. How many epochs each model took:

# %%
converged_dir = Path("results/converged_study")
converged = study.load_or_run(study.CONVERGED_STUDY, mnist, converged_dir)
converged_runs = pd.DataFrame(converged.runs)
converged_runs = converged_runs[converged_runs["model"] != study.PCA_NAME]
epochs_taken = converged_runs.groupby("model")["epochs"]
epochs_table = epochs_taken.agg(["mean", "min", "max"])
epochs_table["at the limit"] = epochs_taken.apply(
    lambda epochs: int((epochs >= study.MAX_EPOCHS).sum())
)
epochs_table

# %% [markdown]
# The fewer the parameters, the longer a model trains. The one-layer model needs by far the
# longest: on TensorFlow nearly all of its runs, on JAX one, were still improving at 300 epochs,
# so its numbers below are what 300 epochs reach, not all that longer training could. The
# verdicts against PCA, after 30 epochs (the study above) and after training until the
# validation loss stops falling, both as the two backends agree on them:

# %%
converged_studies = {
    backend: study.load_saved(converged_dir, backend)
    for backend in ("tensorflow", "jax")
}
pca_pairs = [pair for pair in pairs if pair[1] == study.PCA_NAME]
converged_verdicts = significance.verdicts_by_backend(
    converged_studies, pca_pairs
)
keys = ["model", "baseline", "metric"]
budget = by_backend[[*keys, "settled"]].merge(
    converged_verdicts[[*keys, "settled"]], on=keys, suffixes=("", "_long")
)
budget = budget.rename(
    columns={"settled": "after 30 epochs", "settled_long": "until it stops"}
)
budget.set_index(["model", "metric"])[["after 30 epochs", "until it stops"]]

# %% [markdown]
# Given the training it needs, the one-layer model reconstructs **clearly better** than PCA in
# BCE, the loss it is trained on, but still clearly worse in MSE; its codes stay clearly worse
# than PCA's in kNN accuracy and silhouette, and its trustworthiness is no longer shown to differ.
# So part of "worse than PCA on every measure" was under-training, and part was not. The
# two-layer model, trained longer, becomes clearly better than PCA in kNN accuracy and
# trustworthiness too, where 30 epochs showed no difference. No model, however long it trains,
# reaches PCA's silhouette. The depth study keeps 30 epochs, the same for every model, so that
# its verdicts compare models at one training budget; this section says which of them that
# budget decides.


# %% tags=["remove-cell"]
def long_verdict(model: str, metric: str) -> str:
    """The settled verdict against PCA after training until the validation loss stops falling."""
    return settled_in(converged_verdicts, model, study.PCA_NAME, metric)


mean_epochs = epochs_table["mean"]
environment.claim(
    mean_epochs["Autoencoder_1"]
    > mean_epochs["Autoencoder_2"]
    > mean_epochs["Autoencoder_3"],
    "the fewer the parameters, the longer a model trains",
    ", ".join(f"{name} {value:.0f}" for name, value in mean_epochs.items()),
)
at_limit = {
    backend: sum(
        run["epochs"] >= study.MAX_EPOCHS
        for run in saved.runs
        if run["model"] == "Autoencoder_1"
    )
    for backend, saved in converged_studies.items()
}
environment.claim(
    at_limit["tensorflow"] >= 8 and at_limit["jax"] == 1,
    "nearly all one-layer runs on TensorFlow, and one on JAX, reached the "
    "300-epoch limit",
    f"{at_limit}",
)
environment.claim(
    long_verdict("Autoencoder_1", "bce") == better
    and long_verdict("Autoencoder_1", "mse") == worse
    and long_verdict("Autoencoder_1", "knn_accuracy") == worse
    and long_verdict("Autoencoder_1", "silhouette") == worse
    and long_verdict("Autoencoder_1", "trustworthiness") == "not shown",
    "trained until it stops, the one-layer model is clearly better than PCA "
    "in BCE, clearly worse in MSE, kNN accuracy and silhouette, and not "
    "shown to differ in trustworthiness",
)
environment.claim(
    all(
        settled("Autoencoder_2", study.PCA_NAME, metric) == "not shown"
        and long_verdict("Autoencoder_2", metric) == better
        for metric in ("knn_accuracy", "trustworthiness")
    ),
    "trained longer, the two-layer model becomes clearly better than PCA in "
    "kNN accuracy and trustworthiness",
)
environment.claim(
    all(
        long_verdict(name, "silhouette") == worse
        for name in ("Autoencoder_1", "Autoencoder_2", "Autoencoder_3")
    ),
    "no model, however long it trains, reaches PCA's silhouette",
)

# %% [markdown]
# ## How far do the verdicts reach?
# Every verdict above weighs one source of chance: the **training seed**. Train again from another
# random start, and how far do the numbers move? Everything else stays fixed: the same 4,000
# training images, the same 1,000 test images, the same settings. So a verdict says: on this
# split of the data, with these settings, training again would very likely give a gain in the
# same direction. It does not say that the gain would hold on other test images. PCA has no seed
# at all, so the tests against PCA take its score as exact, though it was measured on only 1,000
# test images too.
#
# The second source of chance is the test images. The standard error of an accuracy measured on
# $n$ images is $\sqrt{p(1-p)/n}$:

# %%
pca_knn = metrics.measure(pca, mnist)["knn_accuracy"]
pca_knn_error = np.sqrt(pca_knn * (1 - pca_knn) / len(y_test))
print(
    f"PCA's kNN accuracy: {pca_knn:.3f} ± {pca_knn_error:.3f} (standard error)"
)

# %% [markdown]
# A **paired bootstrap** measures this for any gain that is a mean over the test images: draw
# 1,000 test images with replacement, score both models on the same drawn images, note the gain,
# and repeat 2,000 times; the middle 95% of those gains is the interval. Here for the seed-42
# models of notebooks 2 to 5 against PCA (`significance.paired_bootstrap`; trustworthiness ranks all
# pairs of images, has no per-image part, and is left out):

# %%
pca_images = metrics.per_image_scores(pca, mnist)
bootstrap = pd.concat(
    {
        name: significance.paired_bootstrap(
            metrics.per_image_scores(
                metrics.autoencoder_representation(model.autoencoder), mnist
            ),
            pca_images,
        ).set_index("metric")
        for name, model in trained.items()
    },
    names=["model", "metric"],
)
bootstrap["half_width"] = (bootstrap["ci_high"] - bootstrap["ci_low"]) / 2
bootstrap.round(3)

# %% [markdown]
# For kNN accuracy, the test images alone move a gain by about ±0.03 to ±0.04: as much as, or
# more than, the spread between seeds (the standard deviations in the study table). A gain of
# about 0.01, like the two-layer model's mean gain over PCA in kNN accuracy, is smaller than what
# another draw of 1,000 test images could change, which is one more reason why it is "not shown".
# The three-layer model's reconstruction gains over PCA stay clear of zero under both sources of
# chance. A verdict that must hold for *other* test images too needs both sources in one test,
# or more test images: notebook 8 measures on 10,000.

# %% tags=["remove-cell"]
knn_half_widths = bootstrap.xs("knn_accuracy", level="metric")["half_width"]
environment.claim(
    0.012 < pca_knn_error < 0.02,
    "PCA's kNN accuracy has a standard error of about 0.016 from the 1,000 "
    "test images alone",
    f"{pca_knn_error:.4f}",
)
environment.claim(
    all(0.025 < width < 0.045 for width in knn_half_widths),
    "the test images alone move a kNN gain by about ±0.03 to ±0.04",
    ", ".join(f"{width:.3f}" for width in knn_half_widths),
)
knn_sds = [
    row["knn_accuracy_sd"]
    for row in result.summary()
    if row["model"] in trained
]
environment.claim(
    min(knn_half_widths) >= min(knn_sds),
    "the test images move a kNN gain as much as or more than the seeds do",
    f"half-widths {list(knn_half_widths.round(3))}, seed sds "
    f"{[round(sd, 3) for sd in knn_sds]}",
)
knn_gain_2 = comparisons.set_index(["model", "baseline", "metric"]).loc[
    ("Autoencoder_2", study.PCA_NAME, "knn_accuracy"), "gain"
]
environment.claim(
    abs(knn_gain_2) < 0.02 and abs(knn_gain_2) < min(knn_half_widths),
    "the two-layer model's mean kNN gain over PCA is about 0.01, less than "
    "the test images can move it",
    f"{knn_gain_2:+.4f}",
)
environment.claim(
    bootstrap.loc[("Autoencoder_3", "bce"), "ci_low"] > 0
    and bootstrap.loc[("Autoencoder_3", "mse"), "ci_low"] > 0
    and settled("Autoencoder_3", study.PCA_NAME, "bce") == better,
    "the three-layer model's reconstruction gains over PCA stay clear of zero "
    "under both sources of chance",
)

# %% [markdown]
# ## Why the measures disagree
# The three-layer model's codes give a kNN accuracy of about 0.5, five times the chance level, yet
# a silhouette near zero. Both are right, because they ask different questions. kNN accuracy looks
# only at the **five nearest** codes of each test digit: about half the test digits find their
# own digit in the majority there, and the other half do not. That is about what the made-up
# "touching" clusters above scored: far from chance, and far from pure neighbourhoods. The
# silhouette compares each code's average distance to **all** codes of its own digit with that to
# all codes of the nearest other digit. In our latent spaces the clusters are long arms and fans
# of very different sizes that meet at a common centre: a point at the tip of a long arm is far
# from most codes of its own digit, and points near the centre are as close to other digits as to
# their own. The average comes out near zero. So neither measure finds the article's "separate
# clusters": kNN accuracy sees mixed neighbourhoods for half the digits, the silhouette sees
# clusters that overlap.
#
# Trustworthiness asks a third question: does the code keep the **pixel-space** neighbourhoods? It
# grows from one article model to the next, and the controls show that it follows the size of the
# model, not its depth: larger encoders keep more of the structure of the images, whether or not
# that structure follows the labels.

# %% tags=["remove-cell"]
touching_knn = metrics.knn_accuracy(
    toy_train_codes["touching"], y_train, toy_codes["touching"], y_test
)
knn_3_means = {
    backend: saved.mean("Autoencoder_3", "knn_accuracy")
    for backend, saved in saved_studies.items()
}
environment.claim(
    0.3 < touching_knn < 0.6,
    "the made-up touching clusters score far above chance but get about "
    "half the digits wrong",
    f"{touching_knn:.3f}",
)
environment.claim(
    all(0.4 < value < 0.6 for value in knn_3_means.values())
    and all(
        abs(value - touching_knn) < 0.1 for value in knn_3_means.values()
    ),
    "the three-layer model's mean kNN accuracy is about 0.5, about what the "
    "touching clusters scored",
    ", ".join(
        f"{backend} {value:.3f}" for backend, value in knn_3_means.items()
    ),
)
environment.claim(
    settled("Autoencoder_3", "Autoencoder_2", "trustworthiness") == better
    and settled("Autoencoder_2", "Autoencoder_1", "trustworthiness")
    == better
    and all(
        settled_in(controlled, model, baseline, "trustworthiness") == better
        for model, baseline in study.SIZE_AT_EQUAL_DEPTH
    )
    and all(
        settled_in(controlled, model, baseline, "trustworthiness")
        == "not shown"
        for model, baseline in study.DEPTH_AT_EQUAL_SIZE
    ),
    "trustworthiness grows from one article model to the next and follows "
    "size, not depth",
)


# %% [markdown]
# ## Exercises
# Each exercise has a learning goal and a task. Write your answer in the cell below the task, run
# it, then run the check cell after it: the check says what is right and what to fix. Run it as
# often as you like.

# %%
from scipy import stats

from course_utils.exercises import measure_explorer
from course_utils.exercises.checks import nb06 as checks

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
# (ex-6-3)=
# ### Exercise 6.3: Welch's test and Holm's correction by hand
# **Learning goal**: run Welch's t-test with SciPy, and adjust a few p-values for many comparisons
# with Holm's method yourself, as the verdict table does for all of its tests.
#
# **Task**: compare the kNN accuracy of the three autoencoders over their seeds, in the three
# comparisons of `comparisons_6_3` below (model against baseline).
#
# 1. For each comparison, compute Welch's p-value: `stats.ttest_ind(a, b, equal_var=False)`,
#    with `a` the model's values and `b` the baseline's. Set `p_values_6_3` to the list of the
#    three p-values, in the order of the comparisons.
# 2. Adjust them by hand with Holm's method: sort the p-values from smallest to largest; multiply
#    the k-th smallest by (m − k + 1), where m = 3 is the number of tests (the smallest by 3, the
#    next by 2, the largest by 1); going up the sorted list, keep the running maximum, so that no
#    adjusted value is smaller than the one before it; cap at 1. Set `holm_6_3` to the adjusted
#    values, again in the order of the comparisons.
#
# Which verdicts do the three tests give? The verdict table adjusts all of its tests together:
# would the same comparisons get larger or smaller adjusted p-values there, and why?

# %%
comparisons_6_3 = [
    ("Autoencoder_2", "Autoencoder_1"),
    ("Autoencoder_3", "Autoencoder_2"),
    ("Autoencoder_3", "Autoencoder_1"),
]

# %% tags=["solution"]
knn_6_3 = {
    name: [
        run["knn_accuracy"] for run in result.runs if run["model"] == name
    ]
    for name in ("Autoencoder_1", "Autoencoder_2", "Autoencoder_3")
}
p_values_6_3 = [
    stats.ttest_ind(
        knn_6_3[model], knn_6_3[baseline], equal_var=False
    ).pvalue
    for model, baseline in comparisons_6_3
]
# Holm: the k-th smallest p-value times (m - k + 1), running maximum, cap 1
m_6_3 = len(p_values_6_3)
holm_6_3 = [0.0] * m_6_3
running_6_3 = 0.0
for k, index in enumerate(np.argsort(p_values_6_3), start=1):
    running_6_3 = max(running_6_3, (m_6_3 - k + 1) * p_values_6_3[index])
    holm_6_3[index] = min(1.0, running_6_3)
for (model, baseline), p, adjusted in zip(
    comparisons_6_3, p_values_6_3, holm_6_3
):
    print(
        f"{model} vs {baseline}: p = {p:.3g}, Holm-adjusted {adjusted:.3g}"
    )

# %%
checks.check_welch_holm(p_values_6_3, holm_6_3, result.runs)

# %% [markdown]
# ## Summary
# - The article's models improve with every hidden layer: over ten seeds, on both backends, each
#   is clearly better than the one before in reconstruction, kNN accuracy and trustworthiness.
# - But each deeper article model is also three to four times larger, and the controls say which
#   one counts: at equal size one more layer showed no difference, at equal depth about three
#   times the parameters were clearly better. On our data the deeper models win by size.
# - The one-layer autoencoder is clearly worse than PCA on every measure after 30 epochs; trained
#   until its validation loss stops falling, it reconstructs clearly better than PCA in BCE, but
#   its codes stay worse. No autoencoder forms separate clusters (silhouette near zero, below
#   PCA's), however long it trains.
# - A verdict covers what varied: here the training seeds, on one split of the data. The 1,000
#   test images add their own uncertainty, as large as the seeds' for kNN accuracy.
# - One seed can mislead, and so can three: name the test, correct for the number of comparisons,
#   check that the verdict survives a change of backend, and ask what else changed besides the
#   factor you credit.
# - kNN accuracy and silhouette answer different questions: neighbourhoods that are right for
#   half the digits are not separate clusters.
#
# Next: [going deeper](07_going_deeper.ipynb).
