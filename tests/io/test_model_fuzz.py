"""The model reader fuzzed with convolutional and batch-normalized networks (see ``model_fuzz.py``):
2,000 damaged files, each read by ``load`` and by ``load_params``, in a child process limited to
1.5 GB of address space: every one loads or raises ModelFileError naming the file."""

import pytest

from tests.helpers import fuzz_in_a_child

pytest.importorskip("resource", reason="address-space limits need the Unix resource module")


def test_fuzzed_convnet_and_batchnorm_model_files_give_only_model_file_errors_within_1_5_gb(tmp_path):
    counts = fuzz_in_a_child("tests.io.model_fuzz:fuzz_model_reader", tmp_path, 2000)["counts"]
    assert set(counts) == {"loaded", "ModelFileError"}, counts
    assert sum(counts.values()) >= 2000 and counts["loaded"] >= 50 and counts["ModelFileError"] >= 1000, counts
