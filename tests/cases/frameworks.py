"""Default module bases: Lightning modules and torch_geometric's MessagePassing."""

import lightning as L
import pytorch_lightning as pl
import torch.nn.functional as F
from lightning.pytorch import LightningModule
from torch_geometric.nn import MessagePassing
from torch_geometric.nn.conv import MessagePassing as ConvMessagePassing


class LitModel(L.LightningModule):
    def training_step(self, batch, batch_idx):
        x, y = batch
        return F.dropout(x, 0.2)  # expect: DRP001

    def validation_step(self, batch, batch_idx):
        x, y = batch
        return F.dropout(x, 0.2, training=self.training)


class LitOld(pl.LightningModule):
    def shared_step(self, x):
        return F.dropout(x, training=True)  # expect: DRP002


class LitFromPackage(LightningModule):
    def shared_step(self, x):
        return F.dropout(x, training=False)  # expect: DRP003


class GATLikeConv(MessagePassing):
    def message(self, x_j, alpha):
        alpha = F.dropout(alpha, p=self.dropout)  # expect: DRP001
        return x_j * alpha


class GoodConv(ConvMessagePassing):
    def message(self, x_j, alpha):
        alpha = F.dropout(alpha, p=self.dropout, training=self.training)
        return x_j * alpha
