# Written for monailabel (the JVM server), not MONAI Label's code: the two helpers the vendored
# monailabel/datastore/local.py imports from MONAI Label's monailabel.utils.others.generic, whose
# real module pulls in torch and MONAI. Same behaviour: a name's extension (its last suffixes of
# at most 10 characters each, e.g. ".nii.gz"), and removing a file or folder if it exists.
import os
import pathlib
import shutil


def file_ext(name) -> str:
    if not name:
        return ""
    kept = []
    for suffix in reversed(pathlib.Path(name).suffixes):
        if len(suffix) > 10:
            break
        kept.insert(0, suffix)
    return "".join(kept)


def remove_file(path: str) -> None:
    if not path or not os.path.exists(path):
        return
    if os.path.isdir(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)
