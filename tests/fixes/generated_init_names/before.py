import argparse

import torch.nn.functional as F
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--dropout", type=float, default=0.1)
args = parser.parse_args([])
kwargs = {"bias": True}


class Net(nn.Linear):
    # The generated __init__ must not hide the module-level `args` and `kwargs`.
    def forward(self, x):
        return F.dropout(super().forward(x), args.dropout, inplace=kwargs["bias"] is False)
