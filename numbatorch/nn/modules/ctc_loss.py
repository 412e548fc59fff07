"""CTCLoss: the layer form of ``F.ctc_loss``."""
from ..functional.ctc import ctc_loss
from .loss_base import _Loss

__all__ = ["CTCLoss"]


class CTCLoss(_Loss):
    """Connectionist Temporal Classification loss, for unsegmented sequence labelling.

    Call it as ``loss(log_probs, targets, input_lengths, target_lengths)``.

    Args:
        blank: the blank label. Default: ``0``.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` (each divided by its target length, then
            averaged) or ``'sum'``. Default: ``'mean'``.
        zero_infinity: zero infinite losses and their gradients. Default: ``False``.

    Shape:
        - log_probs: ``(T, N, C)`` or ``(T, C)``, log-probabilities (e.g. ``log_softmax`` outputs).
        - targets: ``(N, S)`` padded, or the targets of all samples concatenated.
        - input_lengths, target_lengths: ``(N,)`` tensors or sequences of ints.
        - Output: a scalar; ``(N,)`` with ``reduction='none'``.
    """

    def __init__(self, blank=0, reduction="mean", zero_infinity=False):
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                        self.zero_infinity)
