import numpy as np
import pytest

from course_utils import compare, training
from course_utils.maintain.cli import main

pytestmark = pytest.mark.backend


def test_first_of_each_digit_picks_one_of_each(offline_mnist):
    shown = compare.first_of_each_digit(offline_mnist.y_test)
    assert offline_mnist.y_test[shown].tolist() == list(range(10))


def test_train_article_models_and_table(small_mnist):
    trained = compare.train_article_models(small_mnist, training.TrainingSettings(epochs=1, batch_size=128), verbose=False)
    assert list(trained) == ["Autoencoder_1", "Autoencoder_2", "Autoencoder_3"]
    table = compare.comparison_table(trained)
    assert table["parameters"].tolist() == [3_922, 16_526, 51_726]
    assert table.loc["Autoencoder_2", "architecture"] == "784-10-2-10-784"
    assert all(np.isfinite(result.test_loss) for result in trained.values())
    figure = compare.comparison_figure(trained, small_mnist)
    assert len(figure.axes) == 40
    assert "the course's MNIST subset" in figure.get_suptitle()


def test_compare_command_prints_table_and_writes_picture(tmp_path, capsys):
    output = tmp_path / "comparison.png"
    assert main(["compare", "--epochs", "1", "--source", "subset", "--output", str(output)]) == 0
    printed = capsys.readouterr().out
    assert "5,000-digit subset" in printed
    assert "51,726" in printed and str(output) in printed
    assert output.read_bytes().startswith(b"\x89PNG")


def test_the_claim_comparisons_name_the_study_models():
    from course_utils import study

    names = {name for pair in compare.CLAIM_COMPARISONS for name in pair}
    assert names == {"Autoencoder_1", "Autoencoder_2", "Autoencoder_3", study.PCA_NAME}
