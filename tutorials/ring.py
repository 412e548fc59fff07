"""Section 6.3.4: FocalLoss plus L1 and L2 regularisation on the two-ring data, trained with KerasModel.

Positive samples lie on a ring of radius 5, negative ones on a ring of radius 8 (1,000 + 6,000 points).
A 2->4->8->1 network is trained for 20 epochs with FocalLoss + L1 + L2 (Adam, lr 0.002), monitoring the
validation AUC with patience 3. Saves the data plot, the training history plot and the prediction plot in
--out-dir, and prints ``best val_auc=<value>`` last (the tutorial reports 0.9695).

    python tutorials/ring.py              # the tutorial
    python tutorials/ring.py --quick      # a few seconds: 5 epochs
    python tutorials/ring.py --backend torch   # the same script on PyTorch
    python tutorials/ring.py --device cuda     # trained on a CUDA GPU
"""
import os

import numpy as np

from _backend import Stopwatch, add_device_option, check_device, import_keras, import_torch, tutorial_parser


def make_ring_data(torch, n_positive, n_negative):
    """Positive samples on the small ring (radius 5), negative ones on the large ring (radius 8)."""
    r_p = 5.0 + torch.normal(0.0, 1.0, size=[n_positive, 1])
    theta_p = 2 * np.pi * torch.rand([n_positive, 1])
    Xp = torch.cat([r_p * torch.cos(theta_p), r_p * torch.sin(theta_p)], axis=1)
    Yp = torch.ones_like(r_p)

    r_n = 8.0 + torch.normal(0.0, 1.0, size=[n_negative, 1])
    theta_n = 2 * np.pi * torch.rand([n_negative, 1])
    Xn = torch.cat([r_n * torch.cos(theta_n), r_n * torch.sin(theta_n)], axis=1)
    Yn = torch.zeros_like(r_n)
    return Xp, Xn, torch.cat([Xp, Xn], axis=0), torch.cat([Yp, Yn], axis=0)


def define_losses(torch):
    """FocalLoss (section 6.3.2) and the L2/L1 penalties (section 6.3.3), written against ``torch``."""
    nn = torch.nn

    class FocalLoss(nn.Module):
        def __init__(self, gamma=2.0, alpha=0.75):
            super().__init__()
            self.gamma = gamma
            self.alpha = alpha

        def forward(self, y_pred, y_true):
            bce = torch.nn.BCELoss(reduction="none")(y_pred, y_true)
            p_t = (y_true * y_pred) + ((1 - y_true) * (1 - y_pred))
            alpha_factor = y_true * self.alpha + (1 - y_true) * (1 - self.alpha)
            modulating_factor = torch.pow(1.0 - p_t, self.gamma)
            loss = torch.mean(alpha_factor * modulating_factor * bce)
            return loss

    def L2Loss(model, alpha):
        l2_loss = torch.tensor(0.0, requires_grad=True)
        for name, param in model.named_parameters():
            if 'bias' not in name:  # biases are usually not regularised
                l2_loss = l2_loss + (0.5 * alpha * torch.sum(torch.pow(param, 2)))
        return l2_loss

    def L1Loss(model, beta):
        l1_loss = torch.tensor(0.0, requires_grad=True)
        for name, param in model.named_parameters():
            if 'bias' not in name:
                l1_loss = l1_loss + beta * torch.sum(torch.abs(param))
        return l1_loss

    return FocalLoss, L2Loss, L1Loss


def define_net(torch):
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 4)
            self.fc2 = nn.Linear(4, 8)
            self.fc3 = nn.Linear(8, 1)

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            y = self.fc3(x)
            return y

    return Net


def scatter(ax, Xp, Xn, title):
    ax.scatter(Xp[:, 0], Xp[:, 1], c="r", s=4)
    ax.scatter(Xn[:, 0], Xn[:, 1], c="g", s=4)
    ax.legend(["positive", "negative"])
    ax.set_title(title)


def save_figure(draw, path, figsize):
    """Draw on a headless Agg figure (never touches the user's pyplot backend) and save it as a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    draw(fig)
    fig.savefig(path)
    print(f"saved {path}")


def main(argv=None):
    parser = tutorial_parser("ring", __doc__)
    parser.add_argument("--epochs", type=int, default=20, help="maximum epochs (default 20; --quick: at most 5)")
    parser.add_argument("--num-workers", type=int, default=2, help="DataLoader workers (the tutorial uses 2)")
    add_device_option(parser)
    args = parser.parse_args(argv)
    watch = Stopwatch()
    torch = import_torch(args.backend)
    check_device(torch, args.device)
    keras = import_keras(args.backend)
    TensorDataset, DataLoader = torch.utils.data.TensorDataset, torch.utils.data.DataLoader
    torch.manual_seed(args.seed)
    os.makedirs(args.out_dir, exist_ok=True)

    # 1. data
    n_positive, n_negative = 1000, 6000
    epochs = min(args.epochs, 5) if args.quick else args.epochs
    Xp, Xn, X, Y = make_ring_data(torch, n_positive, n_negative)
    save_figure(lambda fig: scatter(fig.add_subplot(1, 1, 1), Xp, Xn, "ring data"),
                os.path.join(args.out_dir, "ring_data.png"), (6, 6))

    ds = TensorDataset(X, Y)
    ds_train, ds_val = torch.utils.data.random_split(ds, [int(len(ds) * 0.7), len(ds) - int(len(ds) * 0.7)])
    dl_train = DataLoader(ds_train, batch_size=100, shuffle=True, num_workers=args.num_workers)
    dl_val = DataLoader(ds_val, batch_size=100, num_workers=args.num_workers)
    features, labels = next(iter(dl_train))

    # 2. model
    Net = define_net(torch)
    net = Net()
    keras.summary(net, features)

    # 3. training: FocalLoss + L2 + L1 as the objective, AUC as the metric
    FocalLoss, L2Loss, L1Loss = define_losses(torch)
    net = Net()

    def focal_loss_with_regularization(y_pred, y_true):
        y_probs = torch.sigmoid(y_pred)
        focal = FocalLoss()(y_probs, y_true)
        l2_loss = L2Loss(net, 0.001)  # the regularisation coefficients
        l1_loss = L1Loss(net, 0.001)
        total_loss = focal + l2_loss + l1_loss
        return total_loss

    optimizer = torch.optim.Adam(net.parameters(), lr=0.002)
    model = keras.KerasModel(net=net, loss_fn=focal_loss_with_regularization,
                             metrics_dict={"auc": keras.metrics.AUC()}, optimizer=optimizer)
    dfhistory = model.fit(train_data=dl_train, val_data=dl_val, epochs=epochs,
                          ckpt_path=os.path.join(args.out_dir, "checkpoint"), patience=3,
                          monitor="val_auc", mode="max", plot=True, cpu=args.device == "cpu")
    print(dfhistory.to_string(index=False))

    # 4. predictions of the best checkpoint (KerasModel restored it)
    with torch.no_grad():
        positive = torch.squeeze(torch.sigmoid(net.forward(X)) >= 0.5)
    Xp_pred, Xn_pred = X[positive], X[~positive]

    def draw_predictions(fig):
        ax1, ax2 = fig.subplots(nrows=1, ncols=2)
        scatter(ax1, Xp, Xn, "y_true")
        scatter(ax2, Xp_pred, Xn_pred, "y_pred")

    save_figure(draw_predictions, os.path.join(args.out_dir, "ring_prediction.png"), (12, 5))
    watch.report()
    best = float(dfhistory["val_auc"].max())
    print(f"best val_auc={best:.4f}")
    return best


if __name__ == "__main__":
    main()
