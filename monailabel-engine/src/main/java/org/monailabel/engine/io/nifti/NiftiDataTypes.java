package org.monailabel.engine.io.nifti;

import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.InvalidImageException;

/** NIfTI {@code datatype} codes and their {@link VoxelType}s. */
final class NiftiDataTypes {
    private NiftiDataTypes() {}

    static VoxelType toVoxelType(int code) throws InvalidImageException {
        return switch (code) {
            case 2 -> VoxelType.UINT8;
            case 4 -> VoxelType.INT16;
            case 8 -> VoxelType.INT32;
            case 16 -> VoxelType.FLOAT32;
            case 64 -> VoxelType.FLOAT64;
            case 256 -> VoxelType.INT8;
            case 512 -> VoxelType.UINT16;
            case 768 -> VoxelType.UINT32;
            case 1024 -> VoxelType.INT64;
            case 128 ->
                    throw unsupported(
                            "RGB24 (code 128): colour images are not supported; "
                                    + "convert to three channels of uint8");
            case 2304 -> throw unsupported("RGBA32 (code 2304): colour images are not supported");
            case 1280 -> throw unsupported("uint64 (code 1280)");
            case 32, 1792, 2048 -> throw unsupported("complex (code " + code + ")");
            case 1536 -> throw unsupported("float128 (code 1536)");
            case 1 -> throw unsupported("binary (code 1)");
            default ->
                    throw new InvalidImageException(
                            "NIfTI datatype code " + code + " is not valid");
        };
    }

    private static InvalidImageException unsupported(String what) {
        return new InvalidImageException("NIfTI data type " + what + " is not supported");
    }

    static int toCode(VoxelType type) {
        return switch (type) {
            case UINT8 -> 2;
            case INT16 -> 4;
            case INT32 -> 8;
            case FLOAT32 -> 16;
            case FLOAT64 -> 64;
            case INT8 -> 256;
            case UINT16 -> 512;
            case UINT32 -> 768;
            case INT64 -> 1024;
        };
    }
}
