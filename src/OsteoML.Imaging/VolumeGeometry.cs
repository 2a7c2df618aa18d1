namespace OsteoML.Imaging;

/// <summary>
/// Where a voxel grid sits in the patient: voxel (i, j, k) has its centre at
/// <c>Origin + Direction · (i·Spacing.X, j·Spacing.Y, k·Spacing.Z)</c> in LPS millimetres, as in ITK and
/// DICOM (Origin is the centre of the first voxel, i.e. ImagePositionPatient of the first slice).
/// </summary>
public sealed record VolumeGeometry(Size3 Size, Vec3 Spacing, Vec3 Origin, Direction3 Direction)
{
    public static VolumeGeometry Axial(Size3 size, Vec3 spacing, Vec3? origin = null) =>
        new(size, spacing, origin ?? Vec3.Zero, Direction3.Identity);

    public Vec3 IndexToWorld(double i, double j, double k) =>
        Origin + Direction.Apply(new Vec3(i * Spacing.X, j * Spacing.Y, k * Spacing.Z));

    /// <summary>Continuous voxel index of a patient-space point.</summary>
    public Vec3 WorldToIndex(Vec3 p)
    {
        var d = Direction.Solve(p - Origin);
        return new Vec3(d.X / Spacing.X, d.Y / Spacing.Y, d.Z / Spacing.Z);
    }

    public double VoxelVolumeMm3 => Spacing.X * Spacing.Y * Spacing.Z;

    /// <summary>Physical extent along each axis, first voxel centre to last voxel centre plus one voxel.</summary>
    public Vec3 ExtentMm => new(Size.X * Spacing.X, Size.Y * Spacing.Y, Size.Z * Spacing.Z);
}
