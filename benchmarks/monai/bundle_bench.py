#!/usr/bin/env python3
"""The MONAI side of benchmarks/bundle-vs-monai, with MONAI 1.4 on the path and Debian's python3-torch.

    bundle_bench.py make DIR          # a spleen UNet bundle in two settings and a 224x224x144 CT
    bundle_bench.py run BUNDLE CT N   # MONAI's own chain on the CT, N timed runs after one warm-up

`make` writes DIR/ct.nii.gz (a seeded CT-like volume: soft-tissue body, organs, bone, noise;
0.8x0.8x2.5 mm), DIR/model.ts (MONAI's spleen UNet: channels 16..256, strides 2, 2 residual units,
batch norm, seeded random weights, scripted in eval mode) and two bundles sharing it:
DIR/app (MONAI Label's radiology app settings: 1 mm, ROI 160, overlap 0.25, sw_batch 1) and DIR/zoo
(the model zoo's spleen_ct_segmentation: 1.5x1.5x2 mm, ROI 96, overlap 0.5, sw_batch 4). `run`
prints one JSON line: the median seconds of the whole chain and of its stages.
"""
import json
import os
import shutil
import statistics
import sys
import time

import numpy as np
import torch


def chain(pixdim, roi, overlap, batch):
    return {
        "preprocessing": {"_target_": "Compose", "transforms": [
            {"_target_": "LoadImaged", "keys": "image"},
            {"_target_": "EnsureChannelFirstd", "keys": "image"},
            {"_target_": "Orientationd", "keys": "image", "axcodes": "RAS"},
            {"_target_": "Spacingd", "keys": "image", "pixdim": pixdim, "mode": "bilinear"},
            {"_target_": "ScaleIntensityRanged", "keys": "image", "a_min": -57, "a_max": 164, "b_min": 0,
             "b_max": 1, "clip": True},
            {"_target_": "EnsureTyped", "keys": "image"}]},
        "inferer": {"_target_": "SlidingWindowInferer", "roi_size": [roi, roi, roi], "sw_batch_size": batch,
                    "overlap": overlap},
        "postprocessing": {"_target_": "Compose", "transforms": [
            {"_target_": "Activationsd", "keys": "pred", "softmax": True},
            {"_target_": "Invertd", "keys": "pred", "transform": "@preprocessing", "orig_keys": "image",
             "nearest_interp": False},
            {"_target_": "AsDiscreted", "keys": "pred", "argmax": True}]},
    }


METADATA = {"network_data_format": {"outputs": {"pred": {"type": "image", "num_channels": 2,
                                                         "channel_def": {"0": "background", "1": "spleen"}}}}}


def make(out):
    import nibabel as nib
    from monai.networks.nets import UNet

    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    shape = (224, 224, 144)
    i, j, k = np.meshgrid(*[np.linspace(-1, 1, n) for n in shape], indexing="ij")
    body = (i ** 2 + j ** 2 < 0.8).astype(np.float32)
    ct = np.where(body > 0, 40.0, -1000.0)
    for (ci, cj, r, hu) in [(0.3, 0.1, 0.2, 60), (-0.3, 0.2, 0.15, 90), (0.0, -0.5, 0.08, 700)]:
        ct[(i - ci) ** 2 + (j - cj) ** 2 + (k * 0.5) ** 2 < r ** 2] = hu
    ct = ct + rng.normal(0, 15, shape)
    affine = np.diag([0.8, 0.8, 2.5, 1.0])
    nib.save(nib.Nifti1Image(ct.astype(np.int16), affine), os.path.join(out, "ct.nii.gz"))

    torch.manual_seed(7)
    net = UNet(spatial_dims=3, in_channels=1, out_channels=2, channels=(16, 32, 64, 128, 256),
               strides=(2, 2, 2, 2), num_res_units=2, norm="batch").eval()
    torch.jit.script(net).save(os.path.join(out, "model.ts"))
    for name, settings in {"app": ([1.0, 1.0, 1.0], 160, 0.25, 1), "zoo": ([1.5, 1.5, 2.0], 96, 0.5, 4)}.items():
        bundle = os.path.join(out, name)
        os.makedirs(os.path.join(bundle, "configs"), exist_ok=True)
        os.makedirs(os.path.join(bundle, "models"), exist_ok=True)
        with open(os.path.join(bundle, "configs", "inference.json"), "w") as f:
            json.dump(chain(*settings), f, indent=2)
        with open(os.path.join(bundle, "configs", "metadata.json"), "w") as f:
            json.dump(METADATA, f, indent=2)
        shutil.copy(os.path.join(out, "model.ts"), os.path.join(bundle, "models", "model.ts"))


def run(bundle, ct, repeats):
    from monai.bundle import ConfigParser

    with open(os.path.join(bundle, "configs", "inference.json")) as f:
        parser = ConfigParser(json.load(f))
    pre = parser.get_parsed_content("preprocessing")
    inferer = parser.get_parsed_content("inferer")
    post = parser.get_parsed_content("postprocessing")
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", os.cpu_count())))
    net = torch.jit.load(os.path.join(bundle, "models", "model.ts"), map_location="cpu").eval()
    times = {"total": [], "pre": [], "infer": [], "post": []}
    for n in range(repeats + 1):
        t0 = time.perf_counter()
        data = pre({"image": ct})
        t1 = time.perf_counter()
        with torch.no_grad():
            data["pred"] = inferer(data["image"][None].float(), net)[0]
        t2 = time.perf_counter()
        out = post(data)
        np.asarray(out["pred"])
        t3 = time.perf_counter()
        if n > 0:  # the first run warms up
            for key, value in (("total", t3 - t0), ("pre", t1 - t0), ("infer", t2 - t1), ("post", t3 - t2)):
                times[key].append(value)
    print(json.dumps({key: round(statistics.median(v), 3) for key, v in times.items()}
                     | {"torch_threads": torch.get_num_threads()}))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]))
