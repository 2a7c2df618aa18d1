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
    public Volume<float> ToFloat()
    {
        var values = new float[Geometry.Size.Count];
        var span = _data.AsSpan();
        for (var i = 0; i < values.Length; i++)
        {
            double v = DataType switch
            {
                NiftiDataType.UInt8 => span[i],
                NiftiDataType.Int8 => (sbyte)span[i],
                NiftiDataType.Int16 => MemoryMarshal.Cast<byte, short>(span)[i],
                NiftiDataType.UInt16 => MemoryMarshal.Cast<byte, ushort>(span)[i],
                NiftiDataType.Int32 => MemoryMarshal.Cast<byte, int>(span)[i],
                NiftiDataType.UInt32 => MemoryMarshal.Cast<byte, uint>(span)[i],
                NiftiDataType.Float32 => MemoryMarshal.Cast<byte, float>(span)[i],
                NiftiDataType.Float64 => MemoryMarshal.Cast<byte, double>(span)[i],
                _ => throw new NotSupportedException($"NIfTI datatype {DataType}."),
            };
            values[i] = (float)(v * Slope + Intercept);
        }
        return new Volume<float>(Geometry, values);
    }
}
