"""DICOM Segmentation interop with pydicom and numpy, for monailabel's DicomSegWriter/Reader tests.

Provenance: written for monailabel; pydicom (an independent DICOM reader and writer) and numpy do
every step the Java code is checked against, so no expected value comes from the Java side except
the painted label itself. Three commands:

  series OUT
      Writes two CT series of 13 columns x 11 rows (an odd frame of 143 pixels, so 1-bit frames
      cross byte boundaries) in shuffled file order, with patient and study attributes:
        axial    6 slices, identity orientation, pixel spacing 0.8 x 0.6, 2 mm apart
        oblique  5 slices, rows and columns rotated 25 degrees about (1, 1, 1), 0.7 x 0.9, 2.5 mm
      and OUT/series.json: per series the SOPInstanceUIDs in slice order (sorted along the slice
      normal by this script), the UIDs and the patient/study attributes written.

  read SEG SERIES_DIR OUT_JSON
      Reads a SEG with pydicom (pixel_array unpacks the 1-bit frames), sorts the source series
      along its normal, and places every frame twice: by the ReferencedSOPInstanceUID of its
      DerivationImageSequence and by its PlanePositionSequence ImagePositionPatient projected on
      the source grid; the script fails if the two disagree, if a position is off the grid (more
      than 1e-3 of a slice or 1e-3 mm in plane), or if the orientation or pixel spacing differ
      from the source's. Writes the segment number of every voxel in Volume order (slice, row,
      column; 0 for none; a later segment number wins), the frames as [segment, slice], the
      segments (label, codes, algorithm, the CIELab value and the sRGB colour this script
      converts it back to) and the SEG's identifying, patient and study attributes.

  write SERIES_DIR LABEL_RAW OUT_DIR
      Reads a label (uint8, Volume order, the shape of the series) and writes SEGs of it the way
      highdicom does (Explicit or Implicit VR Little Endian, pixel data of the frames packed with
      numpy.packbits(bitorder='little'), padded to even), with segment 1 = label value 7 "liver"
      and segment 2 = label value 3 "spleen" (other values are left out):
        perframe.dcm     BINARY, implicit VR, every functional group per frame, frames in
                         shuffled order, plus one all-empty frame
        fractional.dcm   FRACTIONAL (8 bits, MaximumFractionalValue 200): 101 inside, 99 just
                         outside the segments, shared orientation and pixel measures
        nopositions.dcm  BINARY with no PlanePositionSequence (frames placed by SOP instance)
        short.dcm        perframe.dcm with 2 bytes of pixel data missing
        offgrid.dcm      one frame half a slice off the grid
        inplane.dcm      one frame moved 1.5 columns within its plane
        rotated.dcm      rows and columns swapped in the orientation
        framecount.dcm   NumberOfFrames one more than the per-frame groups
"""
import json
import os
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

CT = "1.2.840.10008.5.1.4.1.1.2"
SEG = "1.2.840.10008.5.1.4.1.1.66.4"
ROOT = "1.2.826.0.1.3680043.8.498."
PATIENT = {
    "PatientName": "Doe^Jane",
    "PatientID": "PID-42",
    "PatientBirthDate": "19700102",
    "PatientSex": "F",
    "StudyDate": "20240131",
    "StudyTime": "101112",
    "StudyID": "S7",
    "AccessionNumber": "ACC123",
    "ReferringPhysicianName": "Who^Doctor",
    "StudyDescription": "CT abdomen",
}


def rotation(axis, angle):
    axis = np.asarray(axis, dtype=float)
    axis /= np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * (k @ k)


def write_series(out, name, n, orientation, spacing, gap, origin, number):
    rng = np.random.default_rng(number)
    os.makedirs(os.path.join(out, name))
    row = np.array(orientation[:3])
    col = np.array(orientation[3:])
    normal = np.cross(row, col)
    study = ROOT + "10.%d" % number
    series = ROOT + "11.%d" % number
    frame_of_reference = ROOT + "12.%d" % number
    uids = [ROOT + "13.%d.%d" % (number, k + 1) for k in range(n)]
    for written, k in enumerate(rng.permutation(n)):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CT
        meta.MediaStorageSOPInstanceUID = uids[k]
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset("x", {}, file_meta=meta, preamble=b"\0" * 128)
        ds.is_little_endian = True
        ds.is_implicit_VR = False
        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.SOPClassUID = CT
        ds.SOPInstanceUID = uids[k]
        ds.StudyInstanceUID = study
        ds.SeriesInstanceUID = series
        ds.FrameOfReferenceUID = frame_of_reference
        ds.Modality = "CT"
        for key, value in PATIENT.items():
            setattr(ds, key, value)
        ds.InstanceNumber = int(written + 1)
        ds.ImagePositionPatient = [round(float(v), 6) for v in origin + k * gap * normal]
        ds.ImageOrientationPatient = [float(v) for v in orientation]
        ds.PixelSpacing = [float(v) for v in spacing]
        ds.SliceThickness = gap
        ds.RescaleSlope = 1
        ds.RescaleIntercept = -1024
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = 11, 13
        ds.BitsAllocated = 16
        ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 1
        ds.PixelData = rng.integers(-1000, 1000, (11, 13)).astype("<i2").tobytes()
        ds.save_as(os.path.join(out, name, "ct%02d.dcm" % written), write_like_original=False)
    return {
        "sop_instance_uids": uids,
        "study_instance_uid": study,
        "series_instance_uid": series,
        "frame_of_reference_uid": frame_of_reference,
        "sop_class_uid": CT,
        "attributes": PATIENT,
    }


def series_command(out):
    r = rotation([1, 1, 1], np.radians(25))
    oblique = [round(float(v), 10) for v in list(r[:, 0]) + list(r[:, 1])]
    info = {
        "axial": write_series(out, "axial", 6, [1, 0, 0, 0, 1, 0], [0.8, 0.6], 2.0,
                              np.array([-100.25, -80.5, 30.0]), 1),
        "oblique": write_series(out, "oblique", 5, oblique, [0.7, 0.9], 2.5,
                                np.array([12.5, -40.0, 7.75]), 2),
    }
    with open(os.path.join(out, "series.json"), "w") as f:
        json.dump(info, f)


class Source:
    """A CT series read with pydicom and sorted along its slice normal."""

    def __init__(self, folder):
        slices = [pydicom.dcmread(os.path.join(folder, f)) for f in sorted(os.listdir(folder))]
        o = np.array([float(v) for v in slices[0].ImageOrientationPatient])
        self.row, self.col = o[:3], o[3:]
        self.normal = np.cross(self.row, self.col)
        slices.sort(key=lambda s: float(np.dot(self.normal, [float(v) for v in s.ImagePositionPatient])))
        self.slices = slices
        self.uids = [str(s.SOPInstanceUID) for s in slices]
        self.positions = np.array([[float(v) for v in s.ImagePositionPatient] for s in slices])
        self.gap = float(np.dot(self.positions[-1] - self.positions[0], self.normal)) / (len(slices) - 1)
        self.spacing = np.array([float(v) for v in slices[0].PixelSpacing])
        self.rows, self.columns = int(slices[0].Rows), int(slices[0].Columns)
        self.orientation = o

    def slice_at(self, position):
        d = np.asarray(position, dtype=float) - self.positions[0]
        k = float(np.dot(d, self.normal)) / self.gap
        kr = int(round(k))
        if not 0 <= kr < len(self.slices):
            raise SystemExit("frame at %s is off the source grid (k = %r)" % (list(position), k))
        # against that slice's own position, so that a gantry-tilted series is placed too
        own = np.asarray(position, dtype=float) - self.positions[kr]
        in_plane = own - float(np.dot(own, self.normal)) * self.normal
        if abs(k - kr) > 1e-3 or np.linalg.norm(in_plane) > 1e-3:
            raise SystemExit("frame at %s is off the source grid (k = %r, in-plane %s)"
                             % (list(position), k, list(in_plane)))
        return kr


def group(ds, frame, keyword):
    """A functional group's single item: per-frame first, then shared."""
    per = ds.PerFrameFunctionalGroupsSequence[frame]
    if keyword in per:
        return getattr(per, keyword)[0]
    shared = ds.SharedFunctionalGroupsSequence[0]
    return getattr(shared, keyword)[0]


def lab_to_rgb(lab):
    l = lab[0] / 65535.0 * 100
    a = lab[1] / 65535.0 * 255 - 128
    b = lab[2] / 65535.0 * 255 - 128
    fy = (l + 16) / 116
    fx = fy + a / 500
    fz = fy - b / 200
    delta = 6 / 29

    def finv(t):
        return t ** 3 if t > delta else 3 * delta ** 2 * (t - 4 / 29)

    xyz = np.array([0.95047 * finv(fx), 1.0 * finv(fy), 1.08883 * finv(fz)])
    m = np.array([[0.4124564, 0.3575761, 0.1804375],
                  [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    linear = np.linalg.solve(m, xyz)
    srgb = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * np.abs(linear) ** (1 / 2.4) - 0.055)
    return [int(v) for v in np.clip(np.round(srgb * 255), 0, 255)]


def code(item):
    return [str(item.CodeValue), str(item.CodingSchemeDesignator), str(item.CodeMeaning)]


def read_command(seg_path, series_dir, out):
    ds = pydicom.dcmread(seg_path)
    src = Source(series_dir)
    if ds.SOPClassUID != SEG:
        raise SystemExit("not a SEG: " + ds.SOPClassUID)
    frames = ds.pixel_array
    n = int(ds.NumberOfFrames)
    if frames.ndim == 2:
        frames = frames[np.newaxis]
    if frames.shape != (n, src.rows, src.columns):
        raise SystemExit("pixel_array shape %s" % (frames.shape,))
    if len(ds.PerFrameFunctionalGroupsSequence) != n:
        raise SystemExit("per-frame groups do not match NumberOfFrames")
    labels = np.zeros((len(src.slices), src.rows, src.columns), dtype=np.int32)
    placed = []
    for f in range(n):
        orientation = np.array([float(v) for v in group(ds, f, "PlaneOrientationSequence").ImageOrientationPatient])
        if np.abs(orientation - src.orientation).max() > 1e-6:
            raise SystemExit("frame %d orientation %s differs from the source's" % (f, orientation))
        spacing = np.array([float(v) for v in group(ds, f, "PixelMeasuresSequence").PixelSpacing])
        if np.abs(spacing - src.spacing).max() > 1e-6:
            raise SystemExit("frame %d pixel spacing %s differs" % (f, spacing))
        position = group(ds, f, "PlanePositionSequence").ImagePositionPatient
        k_position = src.slice_at([float(v) for v in position])
        source_image = group(ds, f, "DerivationImageSequence").SourceImageSequence[0]
        k_uid = src.uids.index(str(source_image.ReferencedSOPInstanceUID))
        if k_position != k_uid:
            raise SystemExit("frame %d: position says slice %d, SOP instance says %d" % (f, k_position, k_uid))
        if source_image.ReferencedSOPClassUID != CT:
            raise SystemExit("frame %d references SOP class %s" % (f, source_image.ReferencedSOPClassUID))
        segment = int(group(ds, f, "SegmentIdentificationSequence").ReferencedSegmentNumber)
        placed.append([segment, k_uid])
    for f in sorted(range(n), key=lambda i: placed[i][0]):
        segment, k = placed[f]
        labels[k][frames[f] != 0] = segment
    segments = []
    for s in ds.SegmentSequence:
        lab = [int(v) for v in s.RecommendedDisplayCIELabValue]
        segments.append({
            "number": int(s.SegmentNumber),
            "label": str(s.SegmentLabel),
            "algorithm_type": str(s.SegmentAlgorithmType),
            "algorithm_name": str(s.get("SegmentAlgorithmName", "")),
            "category": code(s.SegmentedPropertyCategoryCodeSequence[0]),
            "type": code(s.SegmentedPropertyTypeCodeSequence[0]),
            "lab": lab,
            "rgb": lab_to_rgb(lab),
        })
    referenced = ds.ReferencedSeriesSequence[0]
    result = {
        "labels": labels.reshape(-1).tolist(),
        "frames": placed,
        "segments": segments,
        "number_of_frames": n,
        "bits_allocated": int(ds.BitsAllocated),
        "segmentation_type": str(ds.SegmentationType),
        "modality": str(ds.Modality),
        "image_type": list(ds.ImageType),
        "sop_instance_uid": str(ds.SOPInstanceUID),
        "series_instance_uid": str(ds.SeriesInstanceUID),
        "study_instance_uid": str(ds.StudyInstanceUID),
        "frame_of_reference_uid": str(ds.FrameOfReferenceUID),
        "referenced_series_instance_uid": str(referenced.SeriesInstanceUID),
        "referenced_instances": [str(i.ReferencedSOPInstanceUID) for i in referenced.ReferencedInstanceSequence],
        "attributes": {key: str(ds.get(key, "")) for key in PATIENT},
        "specific_character_set": str(ds.get("SpecificCharacterSet", "")),
        "dimension_index_values": [list(map(int, group(ds, f, "FrameContentSequence").DimensionIndexValues)) for f in range(n)],
    }
    with open(out, "w") as f:
        json.dump(result, f)


def code_item(value, scheme, meaning):
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    item.CodeMeaning = meaning
    return item


def seg_dataset(src, implicit):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SEG
    meta.MediaStorageSOPInstanceUID = ROOT + "20.1"
    meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    ds = FileDataset("seg", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian = True
    ds.is_implicit_VR = implicit
    first = src.slices[0]
    ds.SOPClassUID = SEG
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = first.StudyInstanceUID
    ds.SeriesInstanceUID = ROOT + "20.2"
    ds.FrameOfReferenceUID = first.FrameOfReferenceUID
    ds.Modality = "SEG"
    ds.SeriesNumber = 99
    ds.InstanceNumber = 1
    ds.ImageType = ["DERIVED", "PRIMARY"]
    ds.ContentLabel = "HIGHDICOM_LIKE"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelRepresentation = 0
    ds.Rows, ds.Columns = src.rows, src.columns
    segments = Sequence()
    for number, name, sct in ((1, "liver", "10200004"), (2, "spleen", "78961009")):
        s = Dataset()
        s.SegmentNumber = number
        s.SegmentLabel = name
        s.SegmentAlgorithmType = "MANUAL"
        s.SegmentedPropertyCategoryCodeSequence = Sequence([code_item("123037004", "SCT", "Anatomical Structure")])
        s.SegmentedPropertyTypeCodeSequence = Sequence([code_item(sct, "SCT", name.capitalize())])
        s.RecommendedDisplayCIELabValue = [30000 * number, 20000, 40000]
        segments.append(s)
    ds.SegmentSequence = segments
    return ds


def frame_groups(src, segment, k, per_frame_plane, with_position=True):
    g = Dataset()
    source_image = Dataset()
    source_image.ReferencedSOPClassUID = CT
    source_image.ReferencedSOPInstanceUID = src.uids[k]
    source_image.PurposeOfReferenceCodeSequence = Sequence(
        [code_item("121322", "DCM", "Source image for image processing operation")])
    derivation = Dataset()
    derivation.SourceImageSequence = Sequence([source_image])
    derivation.DerivationCodeSequence = Sequence([code_item("113076", "DCM", "Segmentation")])
    g.DerivationImageSequence = Sequence([derivation])
    content = Dataset()
    content.DimensionIndexValues = [segment, k + 1]
    g.FrameContentSequence = Sequence([content])
    if with_position:
        position = Dataset()
        position.ImagePositionPatient = [float(v) for v in src.positions[k]]
        g.PlanePositionSequence = Sequence([position])
    identification = Dataset()
    identification.ReferencedSegmentNumber = segment
    g.SegmentIdentificationSequence = Sequence([identification])
    if per_frame_plane:
        g.update(plane_groups(src))
    return g


def plane_groups(src):
    g = Dataset()
    orientation = Dataset()
    orientation.ImageOrientationPatient = [float(v) for v in src.orientation]
    g.PlaneOrientationSequence = Sequence([orientation])
    measures = Dataset()
    measures.PixelSpacing = [float(v) for v in src.spacing]
    measures.SliceThickness = src.gap
    g.PixelMeasuresSequence = Sequence([measures])
    return g


def packed(frames):
    bits = np.packbits(np.asarray(frames, dtype=np.uint8).reshape(-1), bitorder="little").tobytes()
    return bits + b"\0" * (len(bits) % 2)


def write_command(series_dir, label_path, out):
    src = Source(series_dir)
    label = np.fromfile(label_path, dtype=np.uint8).reshape(len(src.slices), src.rows, src.columns)
    values = {1: 7, 2: 3}
    pairs = [(s, k) for s in (1, 2) for k in range(len(src.slices)) if (label[k] == values[s]).any()]
    rng = np.random.default_rng(5)
    shuffled = [pairs[i] for i in rng.permutation(len(pairs))]
    empty_k = len(src.slices) - 1

    def binary(name, frame_list, implicit, per_frame_plane, with_position=True, extra_empty=False,
               damage=None):
        ds = seg_dataset(src, implicit)
        ds.SegmentationType = "BINARY"
        ds.BitsAllocated = 1
        ds.BitsStored = 1
        ds.HighBit = 0
        ds.LossyImageCompression = "00"
        frames = [(label[k] == values[s]).astype(np.uint8) for s, k in frame_list]
        groups = [frame_groups(src, s, k, per_frame_plane, with_position) for s, k in frame_list]
        if extra_empty:
            frames.append(np.zeros((src.rows, src.columns), dtype=np.uint8))
            groups.append(frame_groups(src, 1, empty_k, per_frame_plane, with_position))
        ds.PerFrameFunctionalGroupsSequence = Sequence(groups)
        ds.SharedFunctionalGroupsSequence = Sequence([Dataset() if per_frame_plane else plane_groups(src)])
        ds.NumberOfFrames = len(frames)
        ds.PixelData = packed(frames)
        if damage:
            damage(ds)
        ds.save_as(os.path.join(out, name), write_like_original=False)

    binary("perframe.dcm", shuffled, True, True, extra_empty=True)
    binary("nopositions.dcm", pairs, False, False, with_position=False)

    def short(ds):
        ds.PixelData = ds.PixelData[:-2]

    binary("short.dcm", shuffled, True, True, extra_empty=True, damage=short)

    def offgrid(ds):
        p = ds.PerFrameFunctionalGroupsSequence[0].PlanePositionSequence[0]
        moved = np.array(p.ImagePositionPatient, dtype=float) + 0.5 * src.gap * src.normal
        p.ImagePositionPatient = [round(float(v), 6) for v in moved]

    binary("offgrid.dcm", pairs, False, False, damage=offgrid)

    def inplane(ds):
        p = ds.PerFrameFunctionalGroupsSequence[1].PlanePositionSequence[0]
        moved = np.array(p.ImagePositionPatient, dtype=float) + 1.5 * src.spacing[1] * src.row
        p.ImagePositionPatient = [round(float(v), 6) for v in moved]

    binary("inplane.dcm", pairs, False, False, damage=inplane)

    def rotated(ds):
        o = ds.SharedFunctionalGroupsSequence[0].PlaneOrientationSequence[0]
        v = [float(x) for x in o.ImageOrientationPatient]
        o.ImageOrientationPatient = v[3:] + v[:3]

    binary("rotated.dcm", pairs, False, False, damage=rotated)

    def framecount(ds):
        ds.NumberOfFrames = int(ds.NumberOfFrames) + 1

    binary("framecount.dcm", pairs, False, False, damage=framecount)

    ds = seg_dataset(src, False)
    ds.SegmentationType = "FRACTIONAL"
    ds.SegmentationFractionalType = "PROBABILITY"
    ds.MaximumFractionalValue = 200
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.LossyImageCompression = "00"
    frames = []
    for s, k in pairs:
        inside = label[k] == values[s]
        frames.append(np.where(inside, 101, np.where(label[k] != 0, 99, 0)).astype(np.uint8))
    ds.PerFrameFunctionalGroupsSequence = Sequence([frame_groups(src, s, k, False) for s, k in pairs])
    ds.SharedFunctionalGroupsSequence = Sequence([plane_groups(src)])
    ds.NumberOfFrames = len(frames)
    data = np.stack(frames).tobytes()
    ds.PixelData = data + b"\0" * (len(data) % 2)
    ds.save_as(os.path.join(out, "fractional.dcm"), write_like_original=False)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "series":
        series_command(sys.argv[2])
    elif command == "read":
        read_command(sys.argv[2], sys.argv[3], sys.argv[4])
    elif command == "write":
        write_command(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        raise SystemExit("unknown command " + command)
