"""Pascal VOC in its VOCdevkit layout, made on the fly: images, masks and parsed annotations."""
import os

import numpy as np
import pytest
from PIL import Image

from numbatorch.vision import datasets

ANNOTATION = """<annotation>
  <folder>VOC2012</folder>
  <filename>{name}.jpg</filename>
  <size><width>6</width><height>4</height><depth>3</depth></size>
  {objects}
</annotation>"""
OBJECT = "<object><name>{label}</name><difficult>0</difficult><bndbox><xmin>1</xmin><ymin>1</ymin>" \
         "<xmax>{xmax}</xmax><ymax>3</ymax></bndbox></object>"


def _make_voc(root, year="2012"):
    voc = os.path.join(root, "VOCdevkit", f"VOC{year}")
    for folder in ("JPEGImages", "SegmentationClass", "Annotations", "ImageSets/Segmentation", "ImageSets/Main"):
        os.makedirs(os.path.join(voc, folder))
    rng = np.random.default_rng(30)
    masks = {}
    for name, labels in (("2008_000001", ["dog"]), ("2008_000002", ["cat", "person"])):
        Image.fromarray(rng.integers(0, 256, (4, 6, 3), dtype=np.uint8)).save(os.path.join(voc, "JPEGImages",
                                                                                           name + ".jpg"))
        mask = Image.fromarray(rng.integers(0, 21, (4, 6), dtype=np.uint8), mode="L").convert("P")
        mask.save(os.path.join(voc, "SegmentationClass", name + ".png"))
        masks[name] = np.asarray(mask)
        objects = "".join(OBJECT.format(label=label, xmax=2 + i) for i, label in enumerate(labels))
        with open(os.path.join(voc, "Annotations", name + ".xml"), "w") as f:
            f.write(ANNOTATION.format(name=name, objects=objects))
    for split_dir in ("Segmentation", "Main"):
        with open(os.path.join(voc, "ImageSets", split_dir, "train.txt"), "w") as f:
            f.write("2008_000001\n2008_000002\n")
    return voc, masks


def test_segmentation_items(tmp_path):
    voc, masks = _make_voc(str(tmp_path))
    ds = datasets.VOCSegmentation(str(tmp_path), image_set="train")
    assert len(ds) == 2 and ds.masks[1].endswith(os.path.join("SegmentationClass", "2008_000002.png"))
    img, mask = ds[1]
    assert img.mode == "RGB" and img.size == (6, 4)
    np.testing.assert_array_equal(np.asarray(mask), masks["2008_000002"])
    joint = datasets.VOCSegmentation(str(tmp_path), transforms=lambda i, t: (i.size, np.asarray(t).max()))
    assert joint[0] == ((6, 4), masks["2008_000001"].max())


def test_detection_annotations(tmp_path):
    _make_voc(str(tmp_path))
    ds = datasets.VOCDetection(str(tmp_path))
    _, one = ds[0]
    assert one["annotation"]["filename"] == "2008_000001.jpg" and one["annotation"]["size"]["width"] == "6"
    assert [o["name"] for o in one["annotation"]["object"]] == ["dog"]  # a list even for one object
    _, two = ds[1]
    objects = two["annotation"]["object"]
    assert [o["name"] for o in objects] == ["cat", "person"] and objects[1]["bndbox"]["xmax"] == "3"


def test_missing_and_invalid(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted. You can use download=True"):
        datasets.VOCSegmentation(str(tmp_path))
    with pytest.raises(RuntimeError, match="Error downloading VOCtrainval_11-May-2012.tar"):
        datasets.VOCDetection(str(tmp_path), download=True)
    with pytest.raises(ValueError, match="Unknown value 'test' for argument image_set"):
        datasets.VOCSegmentation(str(tmp_path), image_set="test")  # only 2007 has a test set
    with pytest.raises(ValueError, match="Unknown value '2013' for argument year"):
        datasets.VOCSegmentation(str(tmp_path), year="2013")
