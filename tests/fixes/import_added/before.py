"""`from torch import nn` goes where isort puts it: the torch imports' section, sorted."""

import os
from typing import Optional

import numpy as np
import torch.nn.functional as F
from torch.nn.modules.module import Module
from transformers import PretrainedConfig

from mypackage.layers import helper


class Net(Module):
    def __init__(self, config: Optional[PretrainedConfig] = None):
        super().__init__()
        self.scale = np.sqrt(2.0) if os.environ.get("SCALE") else 1.0
        self.helper = helper

    def forward(self, x):
        return F.dropout(x * self.scale, 0.1)
