from flake8_dropout.engine import check
from flake8_dropout.settings import Settings


def test_missing_training_in_module_is_reported():
    source = (
        "import torch.nn.functional as F\nfrom torch import nn\n\n"
        "class M(nn.Module):\n    def forward(self, x):\n        return F.dropout(x)\n"
    )
    assert [(f.line, f.column, f.code.value) for f in check(source, Settings())] == [
        (6, 15, "DRP001")
    ]
