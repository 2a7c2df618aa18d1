using System.Runtime.InteropServices;

namespace OsteoML.Imaging.Nifti;

/// <summary>A NIfTI-1 image as read: its geometry in LPS, the stored voxel type and bytes, and the scaling
/// (<c>scl_slope</c>, <c>scl_inter</c>; a slope of 0 means "no scaling", as the standard says).</summary>
public sealed class NiftiImage
{
    private readonly byte[] _data;

    internal NiftiImage(VolumeGeometry geometry, NiftiDataType dataType, byte[] data, float slope, float intercept)
    {
        Geometry = geometry;
        DataType = dataType;
        _data = data;
        Slope = slope == 0 || float.IsNaN(slope) ? 1f : slope;
        Intercept = float.IsNaN(intercept) ? 0f : intercept;
    }

    public VolumeGeometry Geometry { get; }
    public NiftiDataType DataType { get; }
    public float Slope { get; }
    public float Intercept { get; }

    /// <summary>The stored voxels, unscaled, as their own type; <typeparamref name="T"/> must match <see cref="DataType"/>.</summary>
    public Volume<T> Stored<T>() where T : unmanaged
    {
        if (NiftiDataTypes.Of<T>() != DataType)
            throw new InvalidOperationException($"The image stores {DataType}, not {typeof(T).Name}.");
        return new Volume<T>(Geometry, MemoryMarshal.Cast<byte, T>(_data).ToArray());
    }

    /// <summary>The voxels as float after scl_slope and scl_inter.</summary>
    public Volume<float> ToFloat() => DataType switch
    {
        NiftiDataType.UInt8 => Scaled<byte>(v => v),
        NiftiDataType.Int8 => Scaled<sbyte>(v => v),
        NiftiDataType.Int16 => Scaled<short>(v => v),
        NiftiDataType.UInt16 => Scaled<ushort>(v => v),
        NiftiDataType.Int32 => Scaled<int>(v => v),
        NiftiDataType.UInt32 => Scaled<uint>(v => v),
        NiftiDataType.Float32 => Scaled<float>(v => v),
        NiftiDataType.Float64 => Scaled<double>(v => v),
        _ => throw new NotSupportedException($"NIfTI datatype {DataType}."),
    };

    private Volume<float> Scaled<T>(Func<T, double> value) where T : unmanaged
    {
        var stored = MemoryMarshal.Cast<byte, T>(_data.AsSpan());
        var values = new float[stored.Length];
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)(value(stored[i]) * Slope + Intercept);
        return new Volume<float>(Geometry, values);
    }
}
