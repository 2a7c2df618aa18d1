using OsteoML.Imaging;

namespace OsteoML.Tests.Imaging;

[TestClass]
public sealed class VolumeGeometryTests
{
    [TestMethod]
    public void Index_to_world_follows_the_DICOM_formula()
    {
        // PS3.3 C.7.6.2.1.1: P = S + i·Δi·X + j·Δj·Y for a slice; k adds the slice offset along K.
        var geometry = new VolumeGeometry(new Size3(4, 5, 6), new Vec3(0.5, 0.75, 2.0), new Vec3(-100, -120, 30),
            new Direction3(new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(0, 0, -1)));
        var p = geometry.IndexToWorld(2, 3, 4);
        Assert.AreEqual(-100 + 2 * 0.5, p.X, 1e-12);
        Assert.AreEqual(-120 + 3 * 0.75, p.Y, 1e-12);
        Assert.AreEqual(30 - 4 * 2.0, p.Z, 1e-12);
    }

    [TestMethod]
    public void World_to_index_inverts_index_to_world_for_a_sheared_gantry_tilt_grid()
    {
        // A 15° gantry tilt shears the stacking axis: K is no longer perpendicular to the slices.
        var tilt = 15 * Math.PI / 180;
        var direction = new Direction3(new Vec3(1, 0, 0), new Vec3(0, Math.Cos(0.1), Math.Sin(0.1)),
            new Vec3(0, Math.Sin(tilt), Math.Cos(tilt)));
        var geometry = new VolumeGeometry(new Size3(10, 10, 10), new Vec3(0.7, 0.7, 3), new Vec3(5, -7, 11), direction);
        foreach (var (i, j, k) in new[] { (0.0, 0.0, 0.0), (3.5, 8.25, 1.0), (9.0, 0.0, 9.0) })
        {
            var back = geometry.WorldToIndex(geometry.IndexToWorld(i, j, k));
            Assert.AreEqual(i, back.X, 1e-9);
            Assert.AreEqual(j, back.Y, 1e-9);
            Assert.AreEqual(k, back.Z, 1e-9);
        }
        Assert.IsFalse(direction.IsOrthonormal());
    }

    [TestMethod]
    public void Voxels_are_stored_x_fastest_and_a_slice_is_contiguous()
    {
        var volume = new Volume<short>(VolumeGeometry.Axial(new Size3(3, 2, 2), Vec3.One));
        volume[2, 1, 1] = 7;
        Assert.AreEqual(7, volume.Voxels[1 * 6 + 1 * 3 + 2]);
        Assert.AreEqual(7, volume.Slice(1)[5]);
        Assert.ThrowsExactly<ArgumentException>(() => new Volume<short>(volume.Geometry, new short[5]));
    }
}
