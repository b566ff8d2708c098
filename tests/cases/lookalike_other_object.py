"""The only finding here looks like the correct form at a glance: `<name>.training`.

Files like this one keep the cheap screens honest: they must not skip a file
whose calls read `.training` from something that is not the receiver.
"""

import torch.nn.functional as F
from torch import nn


class Student(nn.Module):
    def forward(self, x, teacher):
        x = F.dropout(x, 0.1, training=self.training)
        return F.dropout(x, 0.1, training=teacher.training)  # expect: DRP003
