"""Loss modules (PyTorch's ``nn.modules.loss``): each stores its options and calls the ``nn.functional`` form.

One file per family: ``loss_base`` (``_Loss``, ``_WeightedLoss``), ``loss_regression``, ``loss_likelihood``,
``loss_margin``, and the layers of their own files (``CTCLoss``, ``TripletMarginWithDistanceLoss``, ...); all are
importable from here, as from PyTorch's module.
"""
from .ctc_loss import CTCLoss
from .deprecated import NLLLoss2d
from .distance_loss import TripletMarginWithDistanceLoss
from .linear_cross_entropy import LinearCrossEntropyLoss
from .loss_base import _Loss, _WeightedLoss
from .loss_likelihood import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, GaussianNLLLoss, KLDivLoss, NLLLoss,
                              PoissonNLLLoss)
from .loss_margin import (CosineEmbeddingLoss, HingeEmbeddingLoss, MarginRankingLoss, MultiLabelMarginLoss,
                          MultiLabelSoftMarginLoss, MultiMarginLoss, SoftMarginLoss, TripletMarginLoss)
from .loss_regression import HuberLoss, L1Loss, MSELoss, SmoothL1Loss

__all__ = ["L1Loss", "NLLLoss", "NLLLoss2d", "PoissonNLLLoss", "GaussianNLLLoss", "KLDivLoss", "MSELoss", "BCELoss",
           "BCEWithLogitsLoss", "HingeEmbeddingLoss", "MultiLabelMarginLoss", "SmoothL1Loss", "HuberLoss",
           "SoftMarginLoss", "CrossEntropyLoss", "LinearCrossEntropyLoss", "MultiLabelSoftMarginLoss",
           "CosineEmbeddingLoss", "MarginRankingLoss", "MultiMarginLoss", "TripletMarginLoss",
           "TripletMarginWithDistanceLoss", "CTCLoss"]

# These classes were defined in this file until it was split by family: they keep its name as their module, the
# path under which plain pickles of them (and ``torch.typename``) name them, as PyTorch's name its losses.
for _loss in (_Loss, _WeightedLoss, L1Loss, MSELoss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, NLLLoss,
              CrossEntropyLoss, KLDivLoss, PoissonNLLLoss, GaussianNLLLoss, MarginRankingLoss, HingeEmbeddingLoss,
              CosineEmbeddingLoss, SoftMarginLoss, MultiLabelSoftMarginLoss, MultiLabelMarginLoss, MultiMarginLoss,
              TripletMarginLoss):
    _loss.__module__ = __name__
del _loss
