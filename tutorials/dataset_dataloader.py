"""Section 6.1: Dataset and DataLoader.

1. How DataLoader makes a batch: the dataset's length, sampler and batch sampler, ``__getitem__``, collate.
2. iris as a ``TensorDataset``, split by ``random_split``, joined again by ``+``.
3. cifar2 through ``ImageFolder`` with augmentation transforms, and through a custom ``Dataset``.
4. DataLoader options: ``batch_size``, ``shuffle``, ``num_workers``, ``drop_last``.

cifar2 is looked for as in cifar2.py; ``--quick`` (or missing data) uses the tiny generated image folder.

    python tutorials/dataset_dataloader.py
    python tutorials/dataset_dataloader.py --quick
"""
import os
import tempfile
from pathlib import Path

from PIL import Image

from _backend import Stopwatch, import_torch, import_vision, tutorial_parser
from cifar2 import find_data_dir, make_tiny_data


def how_a_batch_is_made(torch):
    from_data = torch.utils.data
    print("== 6.1.1 the steps of one batch ==")
    ds = from_data.TensorDataset(torch.randn(1000, 3), torch.randint(low=0, high=2, size=(1000,)).float())
    dl = from_data.DataLoader(ds, batch_size=4, drop_last=False)
    features, labels = next(iter(dl))
    print("features = ", features)
    print("labels = ", labels)

    # step 1: the dataset's length (Dataset.__len__)
    print("n = ", len(ds))
    # step 2: the indices (DataLoader's sampler and batch_sampler)
    sampler = from_data.RandomSampler(data_source=ds)
    batch_sampler = from_data.BatchSampler(sampler=sampler, batch_size=4, drop_last=False)
    for idxs in batch_sampler:
        indices = idxs
        break
    print("indices = ", indices)
    # step 3: the samples (Dataset.__getitem__)
    batch = [ds[i] for i in indices]
    print("batch = ", batch)

    # step 4: features and labels stacked (DataLoader's collate_fn)
    def collate_fn(batch):
        features = torch.stack([sample[0] for sample in batch])
        labels = torch.stack([sample[1] for sample in batch])
        return features, labels

    features, labels = collate_fn(batch)
    print("features = ", features)
    print("labels = ", labels)


def iris_tensor_dataset(torch):
    from_data = torch.utils.data
    print("\n== 6.1.2 a dataset from tensors: iris ==")
    from sklearn import datasets as sk_datasets
    iris = sk_datasets.load_iris()
    ds_iris = from_data.TensorDataset(torch.tensor(iris.data), torch.tensor(iris.target))
    n_train = int(len(ds_iris) * 0.8)
    n_val = len(ds_iris) - n_train
    ds_train, ds_val = from_data.random_split(ds_iris, [n_train, n_val])
    dl_train, dl_val = from_data.DataLoader(ds_train, batch_size=8), from_data.DataLoader(ds_val, batch_size=8)
    for features, labels in dl_train:
        print(features, labels)
        break
    ds_data = ds_train + ds_val  # `+` concatenates datasets
    print('len(ds_train) = ', len(ds_train))  # 120
    print('len(ds_valid) = ', len(ds_val))  # 30
    print('len(ds_train+ds_valid) = ', len(ds_data))  # 150
    print(type(ds_data))


def image_datasets(torch, transforms, datasets, data_dir):
    from_data = torch.utils.data
    print("\n== 6.1.2 a dataset from an image folder: cifar2 ==")
    img = Image.open(next(Path(data_dir, "train", "0_airplane").glob("*.jpg")))
    flipped = transforms.RandomVerticalFlip()(img)
    rotated = transforms.RandomRotation(45)(img)
    print("augmented images:", type(flipped).__name__, flipped.size, type(rotated).__name__, rotated.size)
    transform_train = transforms.Compose([
        transforms.RandomHorizontalFlip(),  # random horizontal flip
        transforms.RandomVerticalFlip(),  # random vertical flip
        transforms.RandomRotation(45),  # random rotation within 45 degrees
        transforms.ToTensor(),
    ])
    transform_valid = transforms.Compose([transforms.ToTensor()])

    def transform_label(x):
        return torch.tensor([x]).float()

    ds_train = datasets.ImageFolder(os.path.join(data_dir, "train"), transform=transform_train,
                                    target_transform=transform_label)
    ds_val = datasets.ImageFolder(os.path.join(data_dir, "test"), transform=transform_valid,
                                  target_transform=transform_label)
    print(ds_train.class_to_idx)  # {'0_airplane': 0, '1_automobile': 1}
    dl_train = from_data.DataLoader(ds_train, batch_size=50, shuffle=True)
    dl_val = from_data.DataLoader(ds_val, batch_size=50, shuffle=True)
    for features, labels in dl_train:
        print(features.shape)  # [50, 3, 32, 32]
        print(labels.shape)  # [50, 1]
        break

    print("\n== 6.1.2 a custom Dataset: cifar2 ==")

    class Cifar2Dataset(from_data.Dataset):
        def __init__(self, imgs_dir, img_transform):
            self.files = list(Path(imgs_dir).rglob("*.jpg"))
            self.transform = img_transform

        def __len__(self):
            return len(self.files)

        def __getitem__(self, i):
            file_i = str(self.files[i])
            img = Image.open(file_i)
            tensor = self.transform(img)
            label = torch.tensor([1.0]) if "1_automobile" in file_i else torch.tensor([0.0])
            return tensor, label

    ds_train = Cifar2Dataset(os.path.join(data_dir, "train"), transform_train)
    ds_val = Cifar2Dataset(os.path.join(data_dir, "test"), transform_valid)
    dl_train = from_data.DataLoader(ds_train, batch_size=50, shuffle=True)
    dl_val = from_data.DataLoader(ds_val, batch_size=50, shuffle=True)
    for features, labels in dl_train:
        print(features.shape)  # [50, 3, 32, 32]
        print(labels.shape)  # [50, 1]
        break
    return len(ds_train), len(ds_val)


def dataloader_options(torch, num_workers):
    from_data = torch.utils.data
    print("\n== 6.1.3 DataLoader options ==")
    ds = from_data.TensorDataset(torch.arange(1, 50))
    dl = from_data.DataLoader(ds, batch_size=10, shuffle=True, num_workers=num_workers, drop_last=True)
    batches = 0
    for batch, in dl:
        print(batch)
        batches += 1
    return batches


def main(argv=None):
    parser = tutorial_parser("dataset_dataloader", __doc__)
    parser.add_argument("--data-dir", help="cifar2 root holding train/ and test/")
    parser.add_argument("--num-workers", type=int, default=2, help="workers in 6.1.3 (the tutorial uses 2)")
    args = parser.parse_args(argv)
    watch = Stopwatch()
    torch = import_torch(args.backend)
    transforms, datasets = import_vision(args.backend)
    torch.manual_seed(args.seed)

    how_a_batch_is_made(torch)
    iris_tensor_dataset(torch)
    with tempfile.TemporaryDirectory(prefix="tiny_cifar2_") as tmp:
        try:
            data_dir = make_tiny_data(tmp) if args.quick else find_data_dir(args.data_dir)
        except SystemExit as missing:
            print(f"{missing}\nusing the tiny generated image folder instead")
            data_dir = make_tiny_data(tmp)
        print(f"data: {data_dir}")
        n_train, n_val = image_datasets(torch, transforms, datasets, data_dir)
    batches = dataloader_options(torch, args.num_workers)
    watch.report()
    print(f"images: train={n_train} val={n_val}; drop_last batches={batches}")


if __name__ == "__main__":
    main()
