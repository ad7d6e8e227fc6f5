"""Reads a DICOM Part 10 file with pydicom and dumps every attribute to JSON: argv[1] in, argv[2] out.

Provenance: written for monailabel's DicomWriter tests; pydicom (an independent DICOM reader) decodes
the file the Java writer made, so the writer is checked by a parser it did not write. Reading is
strict: pydicom's reading validation warns on a value its VR does not allow (a character outside
the VR's repertoire, a value too long), and every warning is an error that fails the script. (Its
RAISE mode is not used: pydicom 2.3 then measures a DS by Python's float repr, refusing valid
16-character values such as 1.23456789012E-4.)
Output: {"preamble_zero": bool, "implicit": bool, "little_endian": bool,
         "meta": {tag: element}, "dataset": {tag: element}} where tag is "GGGGEEEE" (hex, upper case)
and element is {"vr": VR, "values": [...]} for text and numbers (a DS or IS value as its exact text),
{"vr": VR, "hex": "..."} for binary VRs, or {"vr": "SQ", "items": [{tag: element}, ...]}.
"""
import json
import sys
import warnings

warnings.simplefilter("error")

import pydicom  # noqa: E402
from pydicom.multival import MultiValue  # noqa: E402

BINARY = {"OB", "OW", "OF", "OD", "OL", "OV", "UN"}


def value(v, vr):
    if vr in ("DS", "IS"):
        return str(v)
    if vr == "AT":
        return int(v)
    if isinstance(v, (int, float)):
        return v
    return str(v)


def element(elem):
    if elem.VR == "SQ":
        return {"vr": "SQ", "items": [dump(item) for item in elem.value]}
    if elem.VR in BINARY:
        return {"vr": elem.VR, "hex": bytes(elem.value or b"").hex()}
    v = elem.value
    if v is None or v == "":
        values = []
    elif isinstance(v, (MultiValue, list, tuple)):
        values = [value(x, elem.VR) for x in v]
    else:
        values = [value(v, elem.VR)]
    return {"vr": elem.VR, "values": values}


def dump(ds):
    return {"%08X" % int(elem.tag): element(elem) for elem in ds}


ds = pydicom.dcmread(sys.argv[1])
out = {
    "preamble_zero": ds.preamble == b"\0" * 128,
    "implicit": ds.is_implicit_VR,
    "little_endian": ds.is_little_endian,
    "meta": dump(ds.file_meta),
    "dataset": dump(ds),
}
with open(sys.argv[2], "w") as f:
    json.dump(out, f)
