using OsteoML.Imaging;
using OsteoML.Inference;
using OsteoML.Models.Networks;

namespace OsteoML.Tests.Models;

/// <summary>The level-counting rule on hand-built class maps whose answer is known by construction.</summary>
[TestClass]
public sealed class VertebraLevelsTests
{
    private const int Side = 40, BodyWidth = 14, BodyHeight = 12, Disc = 5;

    [TestMethod]
    public void Lowest_rib_bearing_body_is_T12_and_the_next_two_are_L1_and_L2()
    {
        var (classes, bodySlices) = Column(bodies: 6, ribBearing: 3);
        var result = VertebraLevels.Identify(classes);

        Assert.AreEqual(LevelStatus.Identified, result.Status, result.Reason);
        Assert.HasCount(6, result.Bodies);
        CollectionAssert.AreEqual(new[] { null, null, "T12", "L1", "L2", "L3" }, result.Bodies.Select(b => b.Level).ToArray());
        var l1 = result.Mask("L1")!;
        var (lo, hi) = bodySlices[3];
        for (var z = 0; z < classes.Size.Z; z++)
            Assert.AreEqual(z >= lo && z < hi ? BodyWidth * BodyWidth - 4 * (BodyWidth - 1) : 0, CountSlice(l1, z), $"slice {z}");
    }

    [TestMethod]
    public void Without_ribs_no_level_is_named()
    {
        var (classes, _) = Column(bodies: 4, ribBearing: 0);
        var result = VertebraLevels.Identify(classes);
        Assert.AreEqual(LevelStatus.NoRibAnchor, result.Status);
        Assert.IsNull(result.Mask("L1"));
    }

    [TestMethod]
    public void L2_cut_by_the_lower_edge_is_reported_not_covered()
    {
        var (classes, bodySlices) = Column(bodies: 5, ribBearing: 3);
        // Keep everything from the middle of L2 (body 4) upwards.
        var cut = (bodySlices[4].Lo + bodySlices[4].Hi) / 2;
        var result = VertebraLevels.Identify(Crop(classes, cut));
        Assert.AreEqual(LevelStatus.NotCovered, result.Status);
        StringAssert.Contains(result.Reason, "L2");
        Assert.IsNull(result.Mask("L1"), "no partial answer");
    }

    [TestMethod]
    public void A_missing_body_makes_the_count_uncertain()
    {
        var (classes, bodySlices) = Column(bodies: 6, ribBearing: 3);
        var (lo, hi) = bodySlices[3];
        for (var z = lo; z < hi; z++)
            classes.Slice(z).Clear();
        Assert.AreEqual(LevelStatus.Uncertain, VertebraLevels.Identify(classes).Status);
    }

    [TestMethod]
    public void Feet_first_storage_gives_the_same_levels()
    {
        var (classes, _) = Column(bodies: 6, ribBearing: 3);
        var n = classes.Size.Z;
        var g = classes.Geometry;
        // Same anatomy, slices stored inferior to superior reversed: k runs towards the feet.
        var flipped = new Volume<byte>(g with
        {
            Origin = g.IndexToWorld(0, 0, n - 1),
            Direction = new Direction3(g.Direction.I, g.Direction.J, -g.Direction.K),
        });
        for (var z = 0; z < n; z++)
            classes.Slice(z).CopyTo(flipped.Slice(n - 1 - z));

        var expected = VertebraLevels.Identify(classes);
        var actual = VertebraLevels.Identify(flipped);
        Assert.AreEqual(LevelStatus.Identified, actual.Status, actual.Reason);
        Assert.AreEqual(expected.Body("L1")!.CentroidSuperiorMm, actual.Body("L1")!.CentroidSuperiorMm, 1e-9);
    }

    /// <summary>
    /// A column of trabecular boxes (2 mm voxels, head at high k), each with its outer ring as other bone; the
    /// top <paramref name="ribBearing"/> get a rib rod either side at mid-height. Returns the k-range of each body, head first.
    /// </summary>
    private static (Volume<byte> Classes, List<(int Lo, int Hi)> Bodies) Column(int bodies, int ribBearing)
    {
        var depth = bodies * (BodyHeight + Disc) + 2 * Disc;
        var volume = new Volume<byte>(VolumeGeometry.Axial(new Size3(Side, Side, depth), new Vec3(2, 2, 2)));
        var ranges = new List<(int, int)>();
        var lo0 = (Side - BodyWidth) / 2;
        for (var b = 0; b < bodies; b++)
        {
            var hi = depth - Disc - b * (BodyHeight + Disc);
            var lo = hi - BodyHeight;
            ranges.Add((lo, hi));
            for (var z = lo; z < hi; z++)
            for (var y = lo0; y < lo0 + BodyWidth; y++)
            for (var x = lo0; x < lo0 + BodyWidth; x++)
            {
                var ring = x == lo0 || y == lo0 || x == lo0 + BodyWidth - 1 || y == lo0 + BodyWidth - 1;
                volume[x, y, z] = ring ? (byte)SegmentationClasses.OtherVertebralBone : (byte)SegmentationClasses.Trabecular;
            }
            if (b < ribBearing)
            {
                var mid = (lo + hi) / 2;
                for (var x = 0; x < 10; x++)
                for (var dz = 0; dz < 2; dz++)
                for (var dy = 0; dy < 2; dy++)
                {
                    volume[lo0 + BodyWidth + 1 + x, Side / 2 + dy, mid + dz] = SegmentationClasses.Rib;
                    volume[lo0 - 2 - x, Side / 2 + dy, mid + dz] = SegmentationClasses.Rib;
                }
            }
        }
        return (volume, ranges);
    }

    private static Volume<byte> Crop(Volume<byte> volume, int fromSlice)
    {
        var size = volume.Size with { Z = volume.Size.Z - fromSlice };
        var result = new Volume<byte>(volume.Geometry with { Size = size, Origin = volume.Geometry.IndexToWorld(0, 0, fromSlice) });
        for (var z = 0; z < size.Z; z++)
            volume.Slice(z + fromSlice).CopyTo(result.Slice(z));
        return result;
    }

    private static int CountSlice(Volume<byte> mask, int z)
    {
        var count = 0;
        foreach (var v in mask.Slice(z))
            count += v;
        return count;
    }
}
