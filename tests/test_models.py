import numpy as np
import pytest

from course_utils import models

pytestmark = pytest.mark.backend


@pytest.mark.parametrize("name, count", models.ARTICLE_PARAMETER_COUNTS.items())
def test_article_models_have_the_articles_parameter_counts(name, count):
    built = models.build_article_model(name)
    assert built.name == name
    assert built.count_params() == count
    assert models.expected_parameter_count(built.hidden_units) == count


def test_article_counts_match_the_brief():
    assert models.ARTICLE_PARAMETER_COUNTS == {"Autoencoder_1": 3922, "Autoencoder_2": 16526, "Autoencoder_3": 51726}


@pytest.mark.parametrize(
    "hidden, expected",
    [((), "784-2-784"), ((10,), "784-10-2-10-784"), ((32, 10), "784-32-10-2-10-32-784")],
)
def test_architecture_strings(hidden, expected):
    assert models.build_autoencoder(hidden).architecture == expected


def test_encoder_and_decoder_shapes_and_output_range():
    built = models.build_autoencoder([32, 10], seed=0)
    assert built.encoder.output_shape == (None, 2)
    assert built.decoder.input_shape == (None, 2)
    assert built.autoencoder.output_shape == (None, 784)
    images = np.random.default_rng(0).random((5, 784)).astype("float32")
    output = np.asarray(built.autoencoder(images))
    assert output.min() >= 0.0 and output.max() <= 1.0
    assert built.encoder.get_layer("latent").activation.__name__ == models.LATENT_ACTIVATION


def test_default_names_count_encoder_layers_including_the_latent():
    assert models.build_autoencoder([64, 32, 10]).name == "Autoencoder_4"


def test_same_seed_gives_same_initial_weights():
    first = models.build_autoencoder([10], seed=3).autoencoder.get_weights()
    second = models.build_autoencoder([10], seed=3).autoencoder.get_weights()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_dropout_adds_layers_without_parameters():
    built = models.build_autoencoder([32, 10], dropout=0.2)
    assert built.count_params() == 51_726
    assert any("dropout" in layer.name for layer in built.encoder.layers)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"hidden_units": [0]}, "at least 1 unit"),
        ({"hidden_units": [32, -4]}, "hidden layer 2 has -4 units"),
        ({"hidden_units": [10.5]}, "whole number"),
        ({"hidden_units": ["10"]}, "whole number"),
        ({"hidden_units": [True]}, "whole number"),
        ({"hidden_units": "32,10"}, "list of layer sizes"),
        ({"hidden_units": 32}, "list of layer sizes"),
        ({"hidden_units": [10] * 11}, "at most 10"),
        ({"hidden_units": [], "latent_dim": 0}, "latent_dim has 0 units"),
        ({"hidden_units": [], "latent_dim": 784}, "must compress"),
        ({"hidden_units": [], "latent_dim": 1000}, "must compress"),
        ({"hidden_units": [], "input_dim": 0}, "input_dim has 0 units"),
        ({"hidden_units": [], "latent_dim": 2.0}, "whole number"),
        ({"hidden_units": [], "dropout": 1.0}, "dropout"),
    ],
)
def test_nonsense_arguments_say_what_to_change(arguments, message):
    with pytest.raises(ValueError, match=message):
        models.build_autoencoder(**arguments)


def test_unknown_article_model_lists_the_choices():
    with pytest.raises(ValueError, match="Autoencoder_1, Autoencoder_2, Autoencoder_3"):
        models.build_article_model("Autoencoder_9")


def test_numpy_integers_are_accepted():
    assert models.build_autoencoder([np.int64(10)]).count_params() == 16_526


def test_layer_table_lists_every_dense_layer_and_the_total():
    table = models.layer_table(models.build_article_model("Autoencoder_3"))
    assert list(table.columns) == models.LAYER_COLUMNS
    assert table["parameters"].tolist() == [25_120, 330, 22, 30, 352, 25_872, 51_726]
    assert table["layer"].tolist()[2] == "latent" and table["activation"].tolist()[5] == "sigmoid"
    assert table.iloc[-1]["layer"] == "total"


@pytest.mark.parametrize("name", models.ARTICLE_HIDDEN_UNITS)
def test_planned_layer_table_equals_the_one_keras_builds(name):
    built = models.layer_table(models.build_article_model(name))
    assert models.planned_layer_table(models.ARTICLE_HIDDEN_UNITS[name]).equals(built)
    assert built.iloc[-1]["parameters"] == models.ARTICLE_PARAMETER_COUNTS[name]


def test_layer_sizes_mirror_the_encoder():
    assert models.layer_sizes((32, 10)) == [784, 32, 10, 2, 10, 32, 784]
    assert models.layer_sizes((), latent_dim=3) == [784, 3, 784]


@pytest.mark.parametrize("small", [np.uint8, np.int8, np.int16])
def test_parameter_counts_of_numpy_integers_do_not_overflow(small):
    """A student's np.uint8(2) (or a newer Hypothesis's) must count as 2, not overflow at 784 x units."""
    assert models.expected_parameter_count([small(10)], small(2)) == models.expected_parameter_count([10], 2) == 16_526
    assert all(type(size) is int for size in models.layer_sizes([small(32), small(10)], small(2)))
