"""cifar2 (airplane vs automobile, 32x32 images) with a small convolutional network and KerasModel.

Data: ``ImageFolder`` + ``ToTensor`` over cifar2's train/ and test/ folders, batch 50. Network:
Conv2d(3,32,3) -> MaxPool2d(2,2) -> Conv2d(32,64,5) -> MaxPool2d(2,2) -> Dropout2d(0.1) ->
AdaptiveMaxPool2d((1,1)) -> Flatten -> Linear(64,32) -> ReLU -> Linear(32,1); BCEWithLogitsLoss, Adam lr 0.01,
binary accuracy. Prints ``best val_acc=<value>`` last (the tutorial reports 0.9200 at epoch 9).

The data is looked for in --data-dir, else datasets/cifar2, else ../shared/datasets/cifar2 (relative to the
repository root); ``python datasets/make_cifar2.py`` creates it. ``--quick`` trains on a tiny generated image
folder instead (see datasets/tiny_imagefolder.py), so it needs no data.

    python tutorials/cifar2.py --epochs 10
    python tutorials/cifar2.py --quick
    python tutorials/cifar2.py --backend torch
    python tutorials/cifar2.py --device cuda
"""
import importlib.util
import os
import tempfile

from _backend import (REPO_ROOT, Stopwatch, add_device_option, check_device, import_keras, import_torch,
                      import_vision, tutorial_parser)

DATA_DIRS = (os.path.join(REPO_ROOT, "datasets", "cifar2"),
             os.path.join(os.path.dirname(REPO_ROOT), "shared", "datasets", "cifar2"))


def find_data_dir(explicit):
    for path in ((explicit,) if explicit else DATA_DIRS):
        if os.path.isdir(os.path.join(path, "train")) and os.path.isdir(os.path.join(path, "test")):
            return path
    raise SystemExit(f"cifar2 not found in {explicit or ' or '.join(DATA_DIRS)}: run "
                     f"'python datasets/make_cifar2.py' or pass --data-dir (or use --quick)")


def make_tiny_data(root):
    """The tiny generated image folder of datasets/tiny_imagefolder.py (datasets/ is not a package)."""
    path = os.path.join(REPO_ROOT, "datasets", "tiny_imagefolder.py")
    spec = importlib.util.spec_from_file_location("tiny_imagefolder", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_tiny_imagefolder(root, n_train=100, n_test=50)


def create_net(torch):
    nn = torch.nn
    net = nn.Sequential()
    net.add_module("conv1", nn.Conv2d(in_channels=3, out_channels=32, kernel_size=3))
    net.add_module("pool1", nn.MaxPool2d(kernel_size=2, stride=2))
    net.add_module("conv2", nn.Conv2d(in_channels=32, out_channels=64, kernel_size=5))
    net.add_module("pool2", nn.MaxPool2d(kernel_size=2, stride=2))
    net.add_module("dropout", nn.Dropout2d(p=0.1))
    net.add_module("adaptive_pool", nn.AdaptiveMaxPool2d((1, 1)))
    net.add_module("flatten", nn.Flatten())
    net.add_module("linear1", nn.Linear(64, 32))
    net.add_module("relu", nn.ReLU())
    net.add_module("linear2", nn.Linear(32, 1))
    return net


def main(argv=None):
    parser = tutorial_parser("cifar2", __doc__)
    parser.add_argument("--epochs", type=int, default=10, help="maximum epochs (default 10; --quick: at most 3)")
    parser.add_argument("--patience", type=int, default=5,
                        help="stop after this many epochs without a better val_acc (default 5)")
    parser.add_argument("--data-dir", help="cifar2 root holding train/ and test/")
    parser.add_argument("--num-workers", type=int, default=0, help="DataLoader workers (default 0, as the tutorial)")
    add_device_option(parser)
    args = parser.parse_args(argv)
    watch = Stopwatch()
    torch = import_torch(args.backend)
    check_device(torch, args.device)
    keras = import_keras(args.backend)
    transforms, datasets = import_vision(args.backend)
    nn = torch.nn
    DataLoader = torch.utils.data.DataLoader
    torch.manual_seed(args.seed)

    tmp = None
    if args.quick:
        tmp = tempfile.TemporaryDirectory(prefix="tiny_cifar2_")
        data_dir = make_tiny_data(tmp.name)
        epochs = min(args.epochs, 3)
    else:
        data_dir = find_data_dir(args.data_dir)
        epochs = args.epochs
    print(f"data: {data_dir}")

    transform = transforms.Compose([transforms.ToTensor()])

    def transform_label(x):
        return torch.tensor([x]).float()

    ds_train = datasets.ImageFolder(os.path.join(data_dir, "train"), transform=transform,
                                    target_transform=transform_label)
    ds_val = datasets.ImageFolder(os.path.join(data_dir, "test"), transform=transform,
                                  target_transform=transform_label)
    print(ds_train.class_to_idx)
    dl_train = DataLoader(ds_train, batch_size=50, shuffle=True, num_workers=args.num_workers)
    dl_val = DataLoader(ds_val, batch_size=50, shuffle=False, num_workers=args.num_workers)
    features, labels = next(iter(dl_train))
    print(features.shape)  # [50, 3, 32, 32]
    print(labels.shape)  # [50, 1]

    net = create_net(torch)
    keras.summary(net, input_data=features)
    model = keras.KerasModel(net, loss_fn=nn.BCEWithLogitsLoss(), metrics_dict={"acc": keras.metrics.Accuracy()},
                             optimizer=torch.optim.Adam(net.parameters(), lr=0.01))
    dfhistory = model.fit(train_data=dl_train, val_data=dl_val, epochs=epochs,
                          ckpt_path=os.path.join(args.out_dir, "checkpoint"), patience=args.patience,
                          monitor="val_acc", mode="max", plot=True, cpu=args.device == "cpu")
    print(dfhistory.to_string(index=False))
    if tmp is not None:
        tmp.cleanup()
    best = int(dfhistory["val_acc"].idxmax())
    watch.report()
    print(f"best val_acc={dfhistory['val_acc'][best]:.4f} (epoch {dfhistory['epoch'][best]})")
    return float(dfhistory["val_acc"][best])


if __name__ == "__main__":
    main()
