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
# # 3. Two hidden layers: `784-10-2-10-784`
#
# The second model puts a hidden layer of 10 ReLU units between the pixels and the 2-number code,
# and mirrors it in the decoder. The article finds it better than one layer but its
# reconstructions still far from the originals. We check, and measure.
#
# **You will**: build the model, count its parameters, train it, look at its reconstructions and
# latent space, and compare it with the PCA baseline from notebook 1.

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
from course_utils import (
    compare,
    data,
    environment,
    metrics,
    models,
    plots,
    training,
)

environment.setup(seed=42)

# %% [markdown]
# ## Data

# %%
mnist = data.load_mnist()
x_train, y_train = mnist.x_train, mnist.y_train
x_test, y_test = mnist.x_test, mnist.y_test

# %% [markdown]
# ## Build the model
# `build_article_model` builds the encoder, the decoder and the full autoencoder
# (`decoder(encoder(x))`) exactly as notebook 2 built them by hand, with one more `Dense` layer on
# each side of the code. The new hidden layers use ReLU; the code stays linear and the output
# sigmoid, as in notebook 2.

# %% tags=["nbval-check-output"]
latent_dim = models.LATENT_DIM
model = models.build_article_model("Autoencoder_2", seed=42)
encoder, decoder = model.encoder, model.decoder
autoencoder = model.autoencoder
models.layer_table(model)

# %% [markdown]
# ## Train
# Exactly the settings of notebook 2 (linear code, Adam, batch 32, 30 epochs), so that depth is
# the only thing that changes. `training.train` runs the `compile` and `fit` of notebook 2 with
# these settings (exercise 3.3 below lets you write them once more yourself). As there, the
# second curve is the **test loss**: watched, never used to choose anything.
#
# `reuse=True` loads the result of an identical earlier run (same weights, data, settings and seed)
# if one is cached, for example from a previous run of this notebook. Pass `reuse=False` to watch it
# train again.

# %%
settings = training.TrainingSettings()
for setting, value in vars(settings).items():
    print(f"{setting:>13}: {value}")

# %%
history = training.train(
    model, x_train, x_test, settings, seed=42, reuse=True, val_name="test"
)

# %% mystnb={"figure": {"caption": "Autoencoder_2's loss per epoch on the training and the validation images.", "name": "fig-3-loss"}, "image": {"alt": "Line chart of the training and validation loss per epoch."}} tags=["hide-input"]
plots.plot_history(history, title="Autoencoder_2: loss per epoch")

# %% [markdown]
# ## Reconstructions
# One test image of each digit, on top, and what the autoencoder makes of it, below.

# %% mystnb={"figure": {"caption": "One test digit of each class (top) and Autoencoder_2's reconstruction of it (bottom).", "name": "fig-3-reconstructions"}, "image": {"alt": "Two rows of ten digits: the originals on top, their reconstructions below."}} tags=["hide-input"]
shown = compare.first_of_each_digit(y_test)
plots.show_reconstructions(
    x_test[shown],
    training.reconstruct(model, x_test[shown]),
    title="Autoencoder_2: test digits and reconstructions",
)

# %% [markdown]
# ## Latent space
# Every test image becomes a point: its two latent numbers. The colour is the true digit, which
# the autoencoder never saw.

# %% mystnb={"figure": {"caption": "The test digits in Autoencoder_2's latent space.", "name": "fig-3-latent"}, "image": {"alt": "Scatter plot of the test digits in the latent space of the two-layer autoencoder. The colour and the bold number at each cluster's centre give the digit."}} tags=["hide-input"]
codes = training.encode(model, x_test)
plots.plot_latent_space(
    codes, y_test, title="Autoencoder_2: test digits in the latent space"
)

# %% [markdown]
# ## Measure
# The same measures as for PCA in notebook 1 (see `metrics.METRIC_DESCRIPTIONS` for all five).

# %%
representations = {
    "PCA (2-D)": metrics.pca_representation(x_train),
    "Autoencoder_2": metrics.autoencoder_representation(model),
}
scores = {
    name: metrics.measure(representation, mnist)
    for name, representation in representations.items()
}
metrics.score_table(scores)

# %% [markdown]
# ## What we see
# **Reconstructions**: still blurred, but more digits keep their own shape than with one layer
# (compare the 1 and the 6 with notebook 2). **Latent space**: the 0s and the 1s spread into arms of
# their own, the rest still overlap. The article's verdict, better than one layer but far from the
# originals, holds for the pictures.
#
# Measured against PCA, with this seed two hidden layers are **about level**: a slightly lower
# reconstruction error, but a lower kNN accuracy. Seed 42 happens to be one of this model's weaker
# seeds: notebook 6 repeats the training with ten seeds on two backends, and there the two-layer
# model reconstructs better than PCA in every run, while its kNN accuracy lands sometimes above
# PCA's and sometimes below, always within 0.07 of it. One run is not enough to rank two close models.

# %% tags=["remove-cell"]
ours, pca = scores["Autoencoder_2"], scores["PCA (2-D)"]
environment.claim(
    ours["bce"] < pca["bce"],
    "Autoencoder_2 reconstructs a little better than PCA",
    f"BCE {ours['bce']:.4f} against {pca['bce']:.4f}",
)
environment.claim(
    abs(ours["knn_accuracy"] - pca["knn_accuracy"]) < 0.07,
    "Autoencoder_2's kNN accuracy is within 0.07 of PCA's",
    f"{ours['knn_accuracy']:.3f} against {pca['knn_accuracy']:.3f}",
)

# %% [markdown]
# ## Exercises
# Each exercise has a learning goal and a task. Write your answer in the cell below the task, run
# it, then run the check cell after it: the check says what is right and what to fix. Run it as
# often as you like.

# %%
import keras

from course_utils.exercises import architecture_builder, checks

# %% [markdown]
# (ex-3-1)=
# ### Exercise 3.1: build the two-hidden-layer encoder yourself
# **Learning goal**: write a Keras encoder layer by layer: its input size, a ReLU hidden layer and a
# linear code.
#
# **Task**: `build_article_model` built this notebook's encoder for you. Build the same encoder,
# `784 → 10 (ReLU) → 2 (linear)`, yourself with `keras.Sequential`, `keras.Input` and
# `keras.layers.Dense`, and call it `my_encoder`. The check compares it with the article's encoder.

# %% tags=["solution"]
my_encoder = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        keras.layers.Dense(10, activation="relu"),
        keras.layers.Dense(2),  # the 2-number code stays linear
    ],
    name="my_encoder",
)
my_encoder.summary(line_length=48)

# %%
checks.check_encoder_2(my_encoder)

# %% [markdown]
# (ex-3-2)=
# ### Exercise 3.2: how wide to be as big as `Autoencoder_3`?
# **Learning goal**: see that the parameters grow with the width of a layer as well as with depth,
# and that the article's deeper models are also bigger ones.
#
# **Task**: the next notebook's `Autoencoder_3` has 51,726 parameters. Keep this notebook's shape,
# one hidden layer on each side of the code (`784-w-2-w-784`), and find the smallest width `w` for
# which the model has *more* parameters than `Autoencoder_3`. Type sizes into the architecture
# builder below and watch the count, or compute it; set `width_3_2` to that width. Then think: if
# `Autoencoder_3` does better than `Autoencoder_2`, is that because it is deeper or because it is
# bigger? (Exercise 4.3 lets you test it.)

# %% tags=["nbval-ignore-output"]
builder = architecture_builder.ArchitectureBuilder(hidden_units=[10])
builder

# %% tags=["solution"]
parameters_3 = models.ARTICLE_PARAMETER_COUNTS["Autoencoder_3"]
width_3_2 = next(
    width
    for width in range(1, 1000)
    if models.expected_parameter_count([width]) > parameters_3
)
count = models.expected_parameter_count([width_3_2])
print(f"784-{width_3_2}-2-{width_3_2}-784 has {count:,} parameters")

# %%
checks.check_width_to_match_autoencoder_3(width_3_2)

# %% [markdown]
# (ex-3-3)=
# ### Exercise 3.3: compile and fit it yourself
# **Learning goal**: write the core Keras workflow without the helper: `compile` with an
# optimizer and a loss, then `fit` with the images as their own targets.
#
# **Task**: the cell below builds a fresh, untrained copy of this notebook's model,
# `autoencoder_3_3`, so that the trained `autoencoder` above stays as it is. Compile it with the
# course's optimizer and loss (Adam with learning rate 0.001, binary cross-entropy, as in
# notebook 2), then fit it on `x_train` for 3 epochs in batches of 32, with the images as their
# own targets; 3 epochs take a few seconds. Set `history_3_3` to what `fit` returns. If Keras
# stops with "Arguments `target` and `output` must have the same rank", the targets were the
# labels: an autoencoder's targets are its input images.

# %%
fresh = models.build_article_model("Autoencoder_2", seed=42)
autoencoder_3_3 = fresh.autoencoder

# %% tags=["solution"]
autoencoder_3_3.compile(
    optimizer=keras.optimizers.Adam(learning_rate=0.001),
    loss="binary_crossentropy",
)
history_3_3 = autoencoder_3_3.fit(
    x_train, x_train, epochs=3, batch_size=32, verbose=0
)
losses_3_3 = history_3_3.history["loss"]
print("loss per epoch:", [round(loss, 4) for loss in losses_3_3])

# %%
checks.check_compile_and_fit(autoencoder_3_3, history_3_3, x_train)

# %% [markdown]
# ## Summary
# - `784-10-2-10-784` has 16,526 parameters: a 10-unit ReLU layer on each side of the code.
# - `build_article_model` and `training.train` build and train it with the Keras steps of
#   notebook 2: `keras.Model`, `compile`, `fit`.
# - Better reconstructions than one layer, still far from the originals, as the article says.
# - Measured, it is about level with PCA: with this seed a little lower reconstruction error and a lower
#   kNN accuracy; over ten seeds (notebook 6) a clearly lower error and a kNN accuracy not shown to differ.
#
# Next: [three hidden layers](04_three_hidden_layers.ipynb).
