"""Section 6.4: TensorBoard visualisation with ``SummaryWriter`` and the KerasModel TensorBoard callback.

First the five kinds of logs one by one (model graph, scalars, histograms, images, figures), then the ring
data (4,000 + 4,000 points) classified by a 2->16->8->1 network with BCEWithLogitsLoss, Adam lr 1e-4 and
batch 16 for up to 100 epochs (patience 10 on val_acc), the callback logging metrics and weight histograms.
Prints ``best val_acc=<value>`` last (the tutorial reports 0.9358 at epoch 53). View the logs with
``tensorboard --logdir <out-dir>/runs``.

    python tutorials/tensorboard.py
    python tutorials/tensorboard.py --quick
    python tutorials/tensorboard.py --backend torch   # PyTorch (needs tensorboard too)
"""
import os
import sys

import numpy as np

from _backend import Stopwatch, import_keras, import_torch, tutorial_parser
from ring import make_ring_data, scatter


def define_net(torch):
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 16)
            self.fc2 = nn.Linear(16, 8)
            self.fc3 = nn.Linear(8, 1)

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return Net


def stop_shadowing_the_tensorboard_package():
    """This file's name is the ``tensorboard`` package's, which SummaryWriter imports: take this folder off
    ``sys.path`` (after the local imports) so that ``import tensorboard`` finds the package."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]


def summary_writer_class(torch):
    """``torch.utils.tensorboard.SummaryWriter``; without the tensorboard package, exit with a one-line error
    (this tutorial is about TensorBoard: running it without logging would prove nothing)."""
    try:
        module = __import__(torch.__name__ + ".utils.tensorboard", fromlist=["SummaryWriter"])
    except ImportError as err:
        sys.exit(f"tutorials/tensorboard.py needs the tensorboard package ({err}); "
                 f"install it with: pip install 'numbatorch[tutorials]'")
    return module.SummaryWriter


def ring_figure(Xp, Xn):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(4, 4))
    FigureCanvasAgg(fig)
    scatter(fig.add_subplot(1, 1, 1), Xp, Xn, "ring data")
    return fig


def log_the_basics(torch, SummaryWriter, log_dir, net, Xp, Xn):
    """One example of each SummaryWriter method the tutorial lists."""
    writer = SummaryWriter(log_dir)
    # model graph
    writer.add_graph(net, input_to_model=torch.rand(10, 2))
    # scalars: minimise f(x) = a*x**2 + b*x + c with gradient descent and log x and f(x)
    x = torch.tensor(0.0, requires_grad=True)
    a, b, c = torch.tensor(1.0), torch.tensor(-2.0), torch.tensor(1.0)
    optimizer = torch.optim.SGD(params=[x], lr=0.01)
    for i in range(500):
        optimizer.zero_grad()
        y = a * torch.pow(x, 2) + b * x + c
        y.backward()
        optimizer.step()
        writer.add_scalar("x", x.item(), i)
        writer.add_scalar("y", y.item(), i)
    print("f(x) = x**2 - 2x + 1 minimised at x =", round(x.item(), 4), "y =", round(y.item(), 6))
    # histograms: a normal sample drifting to the right
    for step in range(10):
        writer.add_histogram("normal_sample", np.random.normal(loc=step * 0.5, scale=1.0, size=1000), step)
    # images: the ring plot as a CHW float tensor, then four random images as an NCHW batch
    fig = ring_figure(Xp, Xn)
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(np.float32) / 255.0
    writer.add_image("ring_data", torch.tensor(rgb).permute(2, 0, 1))
    writer.add_images("random_images", torch.rand(4, 3, 32, 32))
    # figures: a matplotlib figure as is
    writer.add_figure("ring_figure", ring_figure(Xp, Xn))
    writer.close()
    print(f"SummaryWriter logs in {log_dir}")


def main(argv=None):
    parser = tutorial_parser("tensorboard", __doc__)
    parser.add_argument("--epochs", type=int, default=100, help="maximum epochs (default 100; --quick: at most 4)")
    parser.add_argument("--patience", type=int, default=10,
                        help="stop after this many epochs without a better val_acc (default 10)")
    parser.add_argument("--lr", type=float, default=1e-4, help="Adam learning rate (default 1e-4; --quick: 1e-2)")
    parser.add_argument("--num-workers", type=int, default=0,
                        help="DataLoader workers (default 0: an in-memory TensorDataset gains nothing from them)")
    args = parser.parse_args(argv)
    watch = Stopwatch()
    torch = import_torch(args.backend)
    keras = import_keras(args.backend)
    stop_shadowing_the_tensorboard_package()
    nn = torch.nn
    TensorDataset, DataLoader = torch.utils.data.TensorDataset, torch.utils.data.DataLoader
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    runs = os.path.join(args.out_dir, "runs")

    n_positive, n_negative = (1000, 1000) if args.quick else (4000, 4000)
    epochs = min(args.epochs, 4) if args.quick else args.epochs
    lr = 1e-2 if args.quick else args.lr  # quick mode: a few epochs must be enough to learn
    Xp, Xn, X, Y = make_ring_data(torch, n_positive, n_negative)
    Net = define_net(torch)

    SummaryWriter = summary_writer_class(torch)
    log_the_basics(torch, SummaryWriter, os.path.join(runs, "basics"), Net(), Xp, Xn)

    ds = TensorDataset(X, Y)
    n_train = int(len(ds) * 0.7)
    ds_train, ds_val = torch.utils.data.random_split(ds, [n_train, len(ds) - n_train])
    dl_train = DataLoader(ds_train, batch_size=16, shuffle=True, num_workers=args.num_workers)
    dl_val = DataLoader(ds_val, batch_size=16, num_workers=args.num_workers)

    net = Net()
    callbacks = []
    if hasattr(keras, "TensorBoard"):  # the PyTorch stand-in for torchkeras has no callbacks
        callbacks.append(keras.TensorBoard(save_dir=runs, model_name="ring", log_weight=True, log_weight_freq=5))
    model = keras.KerasModel(net, loss_fn=nn.BCEWithLogitsLoss(), metrics_dict={"acc": keras.metrics.Accuracy()},
                             optimizer=torch.optim.Adam(net.parameters(), lr=lr))
    dfhistory = model.fit(train_data=dl_train, val_data=dl_val, epochs=epochs,
                          ckpt_path=os.path.join(args.out_dir, "checkpoint"), patience=args.patience,
                          monitor="val_acc", mode="max", callbacks=callbacks, plot=True, quiet=True, cpu=True)
    print(dfhistory.to_string(index=False))
    if callbacks:
        print(f"KerasModel TensorBoard logs in {callbacks[0].log_path}")
    best = int(dfhistory["val_acc"].idxmax())
    watch.report()
    print(f"best val_acc={dfhistory['val_acc'][best]:.4f} (epoch {dfhistory['epoch'][best]})")
    return float(dfhistory["val_acc"][best])


if __name__ == "__main__":
    main()
