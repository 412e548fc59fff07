"""Iris end to end: section 6.1's pipeline (TensorDataset, random_split 120/30, DataLoader batch 8) plus the
classifier the tutorial stops short of: a 4->16->3 network trained with CrossEntropyLoss and Adam by KerasModel.

Prints the training history and, last, ``val_acc=<value>``: the accuracy of the best checkpoint (lowest
validation loss) on the 30 held-out flowers.

    python tutorials/iris.py
    python tutorials/iris.py --quick
    python tutorials/iris.py --backend torch
"""
import os

from _backend import Stopwatch, import_keras, import_torch, tutorial_parser


def main(argv=None):
    parser = tutorial_parser("iris", __doc__)
    parser.add_argument("--epochs", type=int, default=60, help="training epochs (default 60; --quick: at most 10)")
    parser.add_argument("--lr", type=float, default=0.01, help="Adam learning rate (default 0.01)")
    args = parser.parse_args(argv)
    watch = Stopwatch()
    torch = import_torch(args.backend)
    keras = import_keras(args.backend)
    nn = torch.nn
    TensorDataset, DataLoader = torch.utils.data.TensorDataset, torch.utils.data.DataLoader
    torch.manual_seed(args.seed)

    from sklearn import datasets

    # the data pipeline of section 6.1 (float32 features: the model's parameters are float32)
    iris = datasets.load_iris()
    ds_iris = TensorDataset(torch.tensor(iris.data, dtype=torch.float32), torch.tensor(iris.target))
    n_train = int(len(ds_iris) * 0.8)
    n_val = len(ds_iris) - n_train
    ds_train, ds_val = torch.utils.data.random_split(ds_iris, [n_train, n_val])
    dl_train = DataLoader(ds_train, batch_size=8, shuffle=True)
    dl_val = DataLoader(ds_val, batch_size=8)

    net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    keras.summary(net, input_data=next(iter(dl_train))[0])
    model = keras.KerasModel(net=net, loss_fn=nn.CrossEntropyLoss(),
                             metrics_dict={"acc": keras.metrics.Accuracy()},
                             optimizer=torch.optim.Adam(net.parameters(), lr=args.lr))
    epochs = min(args.epochs, 10) if args.quick else args.epochs
    dfhistory = model.fit(train_data=dl_train, val_data=dl_val, epochs=epochs,
                          ckpt_path=os.path.join(args.out_dir, "checkpoint"), patience=epochs,
                          monitor="val_loss", mode="min", plot=False, quiet=True, cpu=True)
    print(dfhistory.iloc[::max(1, epochs // 10)].to_string(index=False))

    val_acc = model.evaluate(dl_val, quiet=True)["val_acc"]
    watch.report()
    print(f"val_acc={val_acc:.4f}")
    return val_acc


if __name__ == "__main__":
    main()
