"""Runs MONAI Label's own LocalDatastore (vendored in interop/monailabel_upstream, see its
PROVENANCE.md) on a studies folder, for monailabel's datastore compatibility test.

  read UPSTREAM DIR OUT_JSON [--reconcile]
      Opens DIR read-only (only datastore_v2.json, as written), or with --reconcile as a MONAI
      Label server opens it (also scanning the files), and writes what it sees: images, their
      info, labels by tag with their info, labeled and unlabeled images.
  write UPSTREAM DIR IMAGE LABEL OUT_JSON
      Builds a datastore in DIR with MONAI Label's own calls: three images added from IMAGE, a
      final and an original label from LABEL, info updates, one image removed; then reads it as
      `read` does.

Provenance: written for monailabel; every datastore operation is MONAI Label's code.
"""
import json
import logging
import sys

logging.basicConfig(level=logging.WARNING)


def view(ds):
    images = sorted(ds.list_images())
    out = {"images": {}, "labeled_final": sorted(ds.get_labeled_images("final")),
           "unlabeled_final": sorted(ds.get_unlabeled_images("final"))}
    for image in images:
        info = dict(ds.get_image_info(image))
        info.pop("path", None)
        labels = {}
        for tag, label_id in sorted(ds.get_labels_by_image_id(image).items()):
            label_info = dict(ds.get_label_info(label_id, tag))
            label_info.pop("path", None)
            labels[tag] = {"id": label_id, "info": label_info,
                           "uri": ds.get_label_uri(label_id, tag)}
        out["images"][image] = {"info": info, "uri": ds.get_image_uri(image), "labels": labels}
    return out


def main():
    command, upstream = sys.argv[1], sys.argv[2]
    sys.path.insert(0, upstream)
    from monailabel.datastore.local import LocalDatastore

    extensions = ("*.nii.gz", "*.nii", "*.nrrd")
    if command == "read":
        folder, out = sys.argv[3], sys.argv[4]
        reconcile = "--reconcile" in sys.argv[5:]
        ds = LocalDatastore(folder, extensions=extensions, auto_reload=False,
                            read_only=not reconcile)
    elif command == "write":
        folder, image, label, out = sys.argv[3:7]
        ds = LocalDatastore(folder, extensions=extensions, auto_reload=False)
        for name in ("img_a", "img_b", "img_c"):
            ds.add_image(name, image, {"client_id": "python", "name_given": name})
        ds.save_label("img_a", label, "final", {"label_info": [{"name": "spleen", "idx": 1}]})
        ds.save_label("img_b", label, "original", {"model": "segmentation"})
        ds.update_image_info("img_b", {"epistemic_entropy": 0.25})
        ds.update_label_info("img_a", "final", {"reviewed": True})
        ds.remove_image("img_c")
        ds = LocalDatastore(folder, extensions=extensions, auto_reload=False, read_only=True)
    else:
        raise SystemExit("unknown command " + command)
    with open(out, "w") as f:
        json.dump(view(ds), f, default=str)


main()
