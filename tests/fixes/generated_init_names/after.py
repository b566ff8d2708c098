import argparse

import torch.nn.functional as F
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--dropout", type=float, default=0.1)
args = parser.parse_args([])
kwargs = {"bias": True}


class Net(nn.Linear):
    def __init__(self, *args_1, **kwargs_1):
        super().__init__(*args_1, **kwargs_1)
        self.dropout = nn.Dropout(p=args.dropout, inplace=kwargs["bias"] is False)

    # The generated __init__ must not hide the module-level `args` and `kwargs`.
    def forward(self, x):
        return self.dropout(super().forward(x))
