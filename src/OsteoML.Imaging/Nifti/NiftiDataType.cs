namespace OsteoML.Imaging.Nifti;

/// <summary>NIfTI-1 <c>datatype</c> codes (nifti1.h, NIFTI_TYPE_*) for the voxel types we read and write.</summary>
public enum NiftiDataType : short
{
    UInt8 = 2,
    Int16 = 4,
    Int32 = 8,
    Float32 = 16,
    Float64 = 64,
    Int8 = 256,
    UInt16 = 512,
    UInt32 = 768,
}

internal static class NiftiDataTypes
{
    public static NiftiDataType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(byte) ? NiftiDataType.UInt8
        : typeof(T) == typeof(sbyte) ? NiftiDataType.Int8
        : typeof(T) == typeof(short) ? NiftiDataType.Int16
        : typeof(T) == typeof(ushort) ? NiftiDataType.UInt16
        : typeof(T) == typeof(int) ? NiftiDataType.Int32
        : typeof(T) == typeof(uint) ? NiftiDataType.UInt32
        : typeof(T) == typeof(float) ? NiftiDataType.Float32
        : typeof(T) == typeof(double) ? NiftiDataType.Float64
        : throw new NotSupportedException($"NIfTI-1 has no voxel type for {typeof(T).Name}.");

    public static int BytesPerVoxel(NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 or NiftiDataType.Int8 => 1,
        NiftiDataType.Int16 or NiftiDataType.UInt16 => 2,
        NiftiDataType.Int32 or NiftiDataType.UInt32 or NiftiDataType.Float32 => 4,
        NiftiDataType.Float64 => 8,
        _ => throw new NotSupportedException($"NIfTI datatype {(short)type} is not supported (supported: {string.Join(", ", Enum.GetNames<NiftiDataType>())})."),
    };
}
