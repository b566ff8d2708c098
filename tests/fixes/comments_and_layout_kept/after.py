# -*- coding: utf-8 -*-
"""Everything but the calls stays as it was."""

import torch.nn.functional as F  # the functional API
from torch import nn


class Net(nn.Module):  # a comment after the class line

    def __init__(self):
        # leading comment
        super().__init__()  # trailing comment


        self.p = 0.1  # two blank lines above are kept
        self.dropout = nn.Dropout(p=self.p)

    def forward(self, x):
        y = {'a': x}  # single quotes stay
        return self.dropout(y['a'])  # café
