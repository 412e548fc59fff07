"""Section 6.3: loss functions.

Built-in losses and how they relate (BCELoss on sigmoid outputs = BCEWithLogitsLoss on logits; CrossEntropyLoss
= LogSoftmax + NLLLoss = KLDivLoss against one-hot targets), the custom FocalLoss and SCELoss, L1/L2
regularisation terms, and L2 regularisation as weight decay through optimizer parameter groups. Prints the
values the tutorial prints and, last, ``checks passed=<n>/<total>`` for the relations above.

    python tutorials/losses.py
    python tutorials/losses.py --backend torch
"""
from _backend import Stopwatch, import_torch, tutorial_parser
from ring import define_losses


def close(a, b, tol=1e-4):
    return abs(float(a) - float(b)) <= tol * max(1.0, abs(float(b)))


def builtin_losses(torch, check):
    nn, F = torch.nn, torch.nn.functional
    print("== 6.3.1 built-in losses ==")
    # nn.BCELoss() and nn.BCEWithLogitsLoss()
    y_pred = torch.tensor([5.0, 3, 10, -5, -3, -10.0])
    y_true = torch.tensor([1.0, 1, 1, 0, 0, 0])
    bce = nn.BCELoss()(torch.sigmoid(y_pred), y_true)
    print(bce)
    bce_logits = nn.BCEWithLogitsLoss()(y_pred, y_true)
    print(bce_logits)
    check("BCELoss(sigmoid(x)) == BCEWithLogitsLoss(x)", close(bce, bce_logits))

    # nn.CrossEntropyLoss() and nn.NLLLoss()
    y_pred = torch.tensor([[10.0, 0.0, -10.0], [8.0, 8.0, 8.0]])
    y_true = torch.tensor([0, 2])
    ce = nn.CrossEntropyLoss()(y_pred, y_true)
    print(ce)
    y_pred_logsoftmax = nn.LogSoftmax(dim=1)(y_pred)  # LogSoftmax then NLLLoss is the same
    nll = nn.NLLLoss()(y_pred_logsoftmax, y_true)
    print(nll)
    check("CrossEntropyLoss == LogSoftmax + NLLLoss", close(ce, nll))

    # nn.CrossEntropyLoss() and nn.KLDivLoss()
    y_pred = torch.tensor([[10.0, 0.0, -10.0], [8.0, 8.0, 8.0]], requires_grad=True)
    y_true = torch.tensor([0, 2])
    ce = nn.CrossEntropyLoss(reduction="mean")(y_pred, y_true)
    print(ce)
    # KLDivLoss wants one-hot targets and log-softmax predictions
    pred = F.log_softmax(y_pred, dim=1)
    target = F.one_hot(y_true).float()
    kl = nn.KLDivLoss(reduction="batchmean")(pred, target)
    print(kl)
    check("CrossEntropyLoss == KLDivLoss(batchmean) on one-hot targets", close(ce, kl))


def focal_loss(torch, check):
    nn = torch.nn
    print("\n== 6.3.2 FocalLoss ==")
    FocalLoss, _, _ = define_losses(torch)
    y_pred_hard = torch.tensor([[0.5], [0.5]])  # hard samples
    y_true_hard = torch.tensor([[1.0], [0.0]])
    y_pred_easy = torch.tensor([[0.9], [0.1]])  # easy samples
    y_true_easy = torch.tensor([[1.0], [0.0]])
    focal, bce = FocalLoss(), nn.BCELoss()
    focal_easy, bce_easy = focal(y_pred_easy, y_true_easy), bce(y_pred_easy, y_true_easy)
    focal_hard, bce_hard = focal(y_pred_hard, y_true_hard), bce(y_pred_hard, y_true_hard)
    print("focal_loss(easy samples):", focal_easy)  # tensor(0.0005)
    print("bce_loss(easy samples):", bce_easy)  # tensor(0.1054)
    print("focal_loss(hard samples):", focal_hard)  # tensor(0.0866)
    print("bce_loss(hard samples):", bce_hard)  # tensor(0.6931)
    # the easy samples' weight shrinks to 0.0005/0.1054 = 0.00474, the hard ones' only to 0.0866/0.6931 = 0.125
    check("FocalLoss matches the tutorial's values",
          all(close(a, b, 2e-3) for a, b in ((focal_easy, 0.0005), (bce_easy, 0.1054), (focal_hard, 0.0866),
                                              (bce_hard, 0.6931))))


def sce_loss(torch, check):
    nn, F = torch.nn, torch.nn.functional
    print("\n== 6.3.2 SCELoss ==")

    def ce(y, p):
        p = torch.clamp(p, min=1e-4, max=1 - 1e-4)
        y = torch.clamp(y, min=1e-4, max=1 - 1e-4)
        return -y * torch.log(p) - (1 - y) * torch.log(1 - p)

    def rce(y, p):
        return ce(p, y)

    clean = rce(torch.tensor(1.0), torch.tensor(0.8)) / ce(torch.tensor(1.0), torch.tensor(0.8))
    print(clean)  # tensor(8.2502): a correct label
    noisy = rce(torch.tensor(0.0), torch.tensor(0.8)) / ce(torch.tensor(0.0), torch.tensor(0.8))
    print(noisy)  # tensor(4.5786): a noisy label
    check("RCE/CE ratios match the tutorial's", close(clean, 8.2502) and close(noisy, 4.5786))

    class SCELoss(nn.Module):
        def __init__(self, num_classes=10, a=1, b=1):
            super(SCELoss, self).__init__()
            self.num_classes = num_classes
            self.a = a  # the two hyper-parameters
            self.b = b
            self.cross_entropy = nn.CrossEntropyLoss()

        def forward(self, pred, labels):
            ce = self.cross_entropy(pred, labels)  # ordinary cross entropy
            pred = F.softmax(pred, dim=1)  # reverse cross entropy
            pred = torch.clamp(pred, min=1e-4, max=1.0)
            label_one_hot = F.one_hot(labels, self.num_classes).float().to(pred.device)
            label_one_hot = torch.clamp(label_one_hot, min=1e-4, max=1.0)  # log(1e-4) = A = -4 ln 10
            rce = (-1 * torch.sum(pred * torch.log(label_one_hot), dim=1))
            loss = self.a * ce + self.b * rce.mean()
            return loss

    logits = torch.randn(8, 10, requires_grad=True)
    labels = torch.randint(0, 10, size=(8,))
    loss = SCELoss()(logits, labels)
    loss.backward()
    print("SCELoss:", loss)
    check("SCELoss has a finite value and gradient",
          bool(torch.isfinite(loss)) and bool(torch.isfinite(logits.grad).all()))


def regularisation(torch, check):
    nn = torch.nn
    print("\n== 6.3.3 L1 and L2 regularisation ==")
    _, L2Loss, L1Loss = define_losses(torch)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    l2, l1 = L2Loss(model, 0.001), L1Loss(model, 0.001)
    print("L2Loss:", l2)
    print("L1Loss:", l1)
    weights = [p for name, p in model.named_parameters() if "bias" not in name]
    expected_l2 = sum(0.5 * 0.001 * float((w * w).sum()) for w in weights)
    expected_l1 = sum(0.001 * float(w.abs().sum()) for w in weights)
    check("L1/L2 terms sum over the weights only", close(l2, expected_l2) and close(l1, expected_l1))

    print("\n== 6.3.5 L2 regularisation as weight decay ==")
    weight_params = [param for name, param in model.named_parameters() if "bias" not in name]
    bias_params = [param for name, param in model.named_parameters() if "bias" in name]
    optimizer = torch.optim.SGD([{'params': weight_params, 'weight_decay': 1e-5},
                                 {'params': bias_params, 'weight_decay': 0}],
                                lr=1e-2, momentum=0.9)
    print(optimizer)
    # With zero gradients, one step moves only the weights, by lr * weight_decay * w.
    before = [p.detach().clone() for p in model.parameters()]
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    optimizer.step()
    moved = [not bool(torch.equal(b, p.detach())) for b, p in zip(before, model.parameters())]
    names = [name for name, _ in model.named_parameters()]
    check("weight decay applies to the weights' group only",
          all(m == ("bias" not in n) for m, n in zip(moved, names)))


def main(argv=None):
    parser = tutorial_parser("losses", __doc__)
    args = parser.parse_args(argv)
    watch = Stopwatch()
    torch = import_torch(args.backend)
    torch.manual_seed(args.seed)
    results = []

    def check(what, ok):
        results.append(ok)
        print(f"  [{'ok' if ok else 'FAILED'}] {what}")

    builtin_losses(torch, check)
    focal_loss(torch, check)
    sce_loss(torch, check)
    regularisation(torch, check)
    watch.report()
    print(f"checks passed={sum(results)}/{len(results)}")
    return all(results)


if __name__ == "__main__":
    main()
