using OsteoML.Imaging;
using OsteoML.Inference;
using OsteoML.Tests.Support;
using static OsteoML.Tests.Models.SpineColumn;

namespace OsteoML.Tests.Models;

/// <summary>The level-counting rule on hand-built class maps whose answer is known by construction.</summary>
[TestClass]
public sealed class VertebraLevelsTests
{
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
    public void Rib_like_bone_beside_a_low_body_under_rib_free_ones_does_not_move_T12()
    {
        // Real CT: the iliac crest beside L5 taken for rib. Bodies T11, T12 bear ribs; L1–L4 do not; L5 "does"; S1 below.
        var (classes, _) = Column(bodies: 8, ribBearing: 2, strayRibs: [6]);
        var result = VertebraLevels.Identify(classes);

        Assert.AreEqual(LevelStatus.Identified, result.Status, result.Reason);
        CollectionAssert.AreEqual(new[] { null, "T12", "L1", "L2", "L3", "L4", "L5", null }, result.Bodies.Select(b => b.Level).ToArray());
        StringAssert.Contains(result.Reason, "ignored");
    }

    [TestMethod]
    public void A_lower_rib_run_close_to_the_upper_one_is_refused_as_ambiguous()
    {
        // Two rib-free bodies between the runs: either two thoracic levels lost their ribs or one lumbar body gained some.
        var (classes, _) = Column(bodies: 6, ribBearing: 1, strayRibs: [3]);
        var result = VertebraLevels.Identify(classes);

        Assert.AreEqual(LevelStatus.Uncertain, result.Status, result.Reason);
        Assert.IsNull(result.Mask("L1"), "no partial answer");
    }

    [TestMethod]
    public void Rib_anchor_counts_contradictions_of_each_candidate()
    {
        // The lowest rib-bearing body stays T12 when a higher one explains the flags no better (a missed T11 rib).
        Assert.AreEqual(2, VertebraLevels.RibAnchor([true, false, true, false, false], 2).Index);
        // Three rib-free bodies between: the low run is stray (contradictions 1 against 3).
        Assert.AreEqual(0, VertebraLevels.RibAnchor([true, false, false, false, true, false], 2).Index);
        var ambiguous = VertebraLevels.RibAnchor([true, false, false, true, false], 2);
        Assert.AreEqual(-1, ambiguous.Index);
        Assert.IsTrue(ambiguous.Ambiguous);
        Assert.AreEqual(-1, VertebraLevels.RibAnchor([false, false, false], 2).Index);
        Assert.IsFalse(VertebraLevels.RibAnchor([false, false, false], 2).Ambiguous);
    }

    [TestMethod]
    public void Thinly_marked_ribs_on_a_run_from_the_top_anchor_T12_with_a_flag()
    {
        // Rib rods of 640 mm³ per body: under a 1000 mm³ threshold they are the weak evidence real ribs give the network.
        var options = new VertebraLevelOptions { MinRibVolumeMm3 = 1000 };
        var result = VertebraLevels.Identify(Column(bodies: 6, ribBearing: 3).Classes, options);

        Assert.AreEqual(LevelStatus.Identified, result.Status, result.Reason);
        Assert.IsTrue(result.WeakRibAnchor);
        CollectionAssert.AreEqual(new[] { null, null, "T12", "L1", "L2", "L3" }, result.Bodies.Select(b => b.Level).ToArray());
        StringAssert.Contains(result.Reason, "weak rib evidence");
        Assert.IsFalse(VertebraLevels.Identify(Column(bodies: 6, ribBearing: 3).Classes).WeakRibAnchor, "strong ribs: no flag");
    }

    [TestMethod]
    public void Weak_rib_evidence_on_fewer_than_three_bodies_or_away_from_the_top_names_nothing()
    {
        var options = new VertebraLevelOptions { MinRibVolumeMm3 = 1000 };
        foreach (var run in new[] { 1, 2 })
        {
            var result = VertebraLevels.Identify(Column(bodies: 6, ribBearing: run).Classes, options);
            Assert.AreEqual(LevelStatus.NoRibAnchor, result.Status, result.Reason);
            Assert.IsNull(result.Mask("L1"));
        }
        // A run whose next body down carries some rib-like bone too (10 voxels, 80 mm³) does not say where the ribs stop.
        var (blurred, ranges) = Column(bodies: 7, ribBearing: 3);
        var mid = (ranges[3].Lo + ranges[3].Hi) / 2;
        for (var x = 29; x < 39; x++)
            blurred[x, Side / 2, mid] = SegmentationClasses.Rib;
        var unclear = VertebraLevels.Identify(blurred, options);
        Assert.AreEqual(LevelStatus.NoRibAnchor, unclear.Status, unclear.Reason);
        StringAssert.Contains(unclear.Reason, "next body down");
        // Weak "ribs" beside two low bodies under rib-free ones (the pelvis) are no anchor either.
        var low = VertebraLevels.Identify(Column(bodies: 6, ribBearing: 0, strayRibs: [3, 4]).Classes, options);
        Assert.AreEqual(LevelStatus.NoRibAnchor, low.Status, low.Reason);
    }

    [TestMethod]
    public void A_trabecular_piece_beside_the_column_is_not_a_body()
    {
        // A piece of the ilium taken for trabecular bone: 4 cm³, 60 mm to the side of the third body.
        var clean = VertebraLevels.Identify(Column(bodies: 6, ribBearing: 2, side: 80).Classes);
        var (classes, bodies) = Column(bodies: 6, ribBearing: 2, side: 80);
        var (lo, _) = bodies[2];
        for (var z = lo; z < lo + 8; z++)
        for (var y = 66; y < 74; y++)
        for (var x = 16; x < 24; x++)
            classes[x, y, z] = SegmentationClasses.Trabecular;
        var result = VertebraLevels.Identify(classes);

        Assert.AreEqual(LevelStatus.Identified, result.Status, result.Reason);
        Assert.HasCount(6, result.Bodies);
        CollectionAssert.AreEqual(clean.Bodies.Select(b => b.Level).ToArray(), result.Bodies.Select(b => b.Level).ToArray());
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

    [TestMethod]
    public void Bodies_touching_across_a_disc_are_separated_at_the_disc_plane()
    {
        var (classes, bodySlices) = Column(bodies: 6, ribBearing: 3, bridge: 2);
        ConnectedComponents.Label(classes, SegmentationClasses.Trabecular, out var pieces);
        Assert.AreEqual(1, pieces, "precondition: the bridges join every body into one component");

        var result = VertebraLevels.Identify(classes);

        Assert.AreEqual(LevelStatus.Identified, result.Status, result.Reason);
        Assert.HasCount(6, result.Bodies);
        // L1 is body 3: its whole core, plus at most the bridge voxels of the two discs next to it.
        var l1 = result.Mask("L1")!;
        var (lo, hi) = bodySlices[3];
        var core = (BodyWidth - 2) * (BodyWidth - 2);
        long inside = 0, outside = 0;
        for (var z = 0; z < classes.Size.Z; z++)
        {
            var n = CountSlice(l1, z);
            if (z >= lo && z < hi)
                inside += n;
            else
                outside += n;
        }
        Assert.AreEqual((long)core * (hi - lo), inside);
        Assert.IsLessThanOrEqualTo(2L * 2 * 2 * Disc, outside, "only bridge voxels lie outside the body");
    }

    [TestMethod]
    public void Separation_follows_a_tilted_spine()
    {
        const double tilt = 25;
        var (classes, bodySlices) = Column(bodies: 6, ribBearing: 3, bridge: 2, tiltDeg: tilt, side: 90);
        var result = VertebraLevels.Identify(classes);

        Assert.AreEqual(LevelStatus.Identified, result.Status, result.Reason);
        Assert.HasCount(6, result.Bodies);
        // Body 3's centre, rotated like the column, in patient mm (2 mm voxels, origin 0).
        var (lo, hi) = bodySlices[3];
        var (_, zc) = ColumnToVolume(90, classes.Size.Z, Side / 2.0 - 0.5, (lo + hi - 1) / 2.0, tilt);
        Assert.AreEqual(2 * zc, result.Body("L1")!.CentroidSuperiorMm, 2.0);
    }

    [TestMethod]
    public void Body_height_is_measured_along_the_tilted_spine()
    {
        // 28 × 28 × 20 mm cores tilted 25°: 20 mm along the spine, 20·cos 25° + 28·sin 25° ≈ 30 mm vertically.
        var (classes, _) = Column(bodies: 6, ribBearing: 3, tiltDeg: 25, side: 90);
        var result = VertebraLevels.Identify(classes);
        Assert.AreEqual(LevelStatus.Identified, result.Status, result.Reason);
        foreach (var body in result.Bodies)
        {
            Assert.AreEqual(2.0 * BodyHeight, body.HeightMm, 2.5, $"{body.Level} height along the axis");
            Assert.IsGreaterThan(2.0 * BodyHeight + 4, body.TopMm - body.BottomMm, "vertical extent, for contrast");
        }
    }

    [TestMethod]
    public void Bodies_fused_without_a_disc_are_refused()
    {
        var (classes, _) = Column(bodies: 6, ribBearing: 3, fusedDiscBelow: 2);
        var result = VertebraLevels.Identify(classes);
        Assert.AreEqual(LevelStatus.Uncertain, result.Status, result.Reason);
        StringAssert.Contains(result.Reason, "fused");
        Assert.IsNull(result.Mask("L1"));
    }

    [TestMethod]
    public void A_weak_bridge_across_a_disc_is_dropped_from_the_probabilities_but_a_confident_one_is_refused()
    {
        // L1 and L2 (bodies 3 and 4) fused through the whole disc between them. Probabilities: 0.9 for each voxel's class
        // in the map, except the disc's trabecular voxels, where trabecular bone wins narrowly (0.55 against 0.45) —
        // what a thin disc blurred by thick slices gives. The argmax is refused as fused; the rule's retry finds L1.
        var (classes, bodySlices, truth) = Column(bodies: 6, ribBearing: 3, fusedDiscBelow: 3);
        Assert.IsTrue(VertebraLevels.Identify(classes).FusedBodies, "precondition: the argmax map is fused");

        var weak = Probabilities(classes, truth, discTrabecular: 0.55f);
        var result = VertebraLevels.Identify(weak, SegmentationClasses.Count, classes.Geometry);
        Assert.AreEqual(LevelStatus.Identified, result.Status, result.Reason);
        StringAssert.Contains(result.Reason, "probability reaches 0.6");
        var l1 = result.Mask("L1")!;
        var (lo, hi) = bodySlices[3];
        for (var z = 0; z < classes.Size.Z; z++)
            Assert.AreEqual(z >= lo && z < hi ? BodyWidth * BodyWidth - 4 * (BodyWidth - 1) : 0, CountSlice(l1, z), $"slice {z}");

        var confident = Probabilities(classes, truth, discTrabecular: 0.95f);
        var refused = VertebraLevels.Identify(confident, SegmentationClasses.Count, classes.Geometry);
        Assert.AreEqual(LevelStatus.Uncertain, refused.Status, refused.Reason);
        Assert.IsTrue(refused.FusedBodies);
    }

    /// <summary>Class-major probabilities: 0.9 on each voxel's class, the rest shared; trabecular voxels outside every
    /// true body (the fused disc) get <paramref name="discTrabecular"/> and the rest on other bone.</summary>
    private static float[] Probabilities(Volume<byte> classes, Volume<byte> truth, float discTrabecular)
    {
        var n = classes.Voxels.Length;
        var k = SegmentationClasses.Count;
        var p = new float[k * n];
        for (var v = 0; v < n; v++)
        {
            for (var c = 0; c < k; c++)
                p[c * n + v] = 0.1f / (k - 1);
            p[classes.Voxels[v] * n + v] = 0.9f;
            if (classes.Voxels[v] == SegmentationClasses.Trabecular && truth.Voxels[v] == 0)
            {
                for (var c = 0; c < k; c++)
                    p[c * n + v] = 0;
                p[SegmentationClasses.Trabecular * n + v] = discTrabecular;
                p[SegmentationClasses.OtherVertebralBone * n + v] = 1 - discTrabecular;
            }
        }
        return p;
    }

    [TestMethod]
    public void A_single_body_with_a_waist_is_not_cut()
    {
        // One 40 mm tall core (taller than SplitMinHeightMm) whose middle slices are 20 % narrower.
        var volume = new Volume<byte>(VolumeGeometry.Axial(new Size3(Side, Side, 30), new Vec3(2, 2, 2)));
        for (var z = 5; z < 25; z++)
        {
            var half = z is >= 12 and < 18 ? 6 : 7;
            for (var y = Side / 2 - half; y < Side / 2 + half; y++)
            for (var x = Side / 2 - half; x < Side / 2 + half; x++)
                volume[x, y, z] = SegmentationClasses.Trabecular;
        }
        var components = ConnectedComponents.Label(volume, SegmentationClasses.Trabecular, out var count);
        Assert.AreEqual(1, BodySeparation.Split(components, count, new VertebraLevelOptions()));
    }

    [TestMethod]
    public void Valley_is_the_deepest_dip_away_from_the_ends()
    {
        Assert.AreEqual(3, BodySeparation.Valley([5, 10, 10, 1, 10, 10, 5], margin: 2, ratio: 0.5));
        Assert.AreEqual(4, BodySeparation.Valley([9, 10, 4, 10, 2, 10, 10], margin: 2, ratio: 0.5), "the deeper of two dips");
        Assert.IsNull(BodySeparation.Valley([10, 9, 8, 7, 8, 9, 10], margin: 2, ratio: 0.5), "a waist is no disc");
        Assert.IsNull(BodySeparation.Valley([1, 10, 10, 10, 10, 10, 1], margin: 2, ratio: 0.5), "ends are no disc");
    }

    [TestMethod]
    public void Spine_axis_is_the_principal_axis_nearest_z_as_numpy_finds_it()
    {
        var random = new Random(5);
        // A flat body (wide 40, deep 30, tall 20 mm) tilted 20° about X and 8° about Y: its least-spread axis is the spine's.
        var tilt = 20 * Math.PI / 180;
        var roll = 8 * Math.PI / 180;
        var points = Enumerable.Range(0, 2000).Select(_ =>
        {
            double u = (random.NextDouble() - 0.5) * 40, v = (random.NextDouble() - 0.5) * 30, w = (random.NextDouble() - 0.5) * 20;
            var y = v * Math.Cos(tilt) - w * Math.Sin(tilt);
            var z = v * Math.Sin(tilt) + w * Math.Cos(tilt);
            return new Vec3(u * Math.Cos(roll) + z * Math.Sin(roll) + 3, y - 7, -u * Math.Sin(roll) + z * Math.Cos(roll) + 100);
        }).ToList();
        var text = string.Join(";", points.Select(p => FormattableString.Invariant($"{p.X:R},{p.Y:R},{p.Z:R}")));
        var expected = ExternalTool.Python("""
            import sys
            import numpy as np
            p = np.array([[float(v) for v in row.split(',')] for row in sys.argv[1].split(';')])
            d = p - p.mean(axis=0)
            _, vectors = np.linalg.eigh(d.T @ d)
            a = vectors[:, np.argmax(np.abs(vectors[2, :]))]
            a = -a if a[2] < 0 else a
            print(' '.join(repr(float(v)) for v in a))
            """, text).EnsureSuccess("numpy eigh").StdOut.Trim().Split(' ').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        var axis = BodySeparation.SpineAxis(points);

        Assert.AreEqual(expected[0], axis.X, 1e-9);
        Assert.AreEqual(expected[1], axis.Y, 1e-9);
        Assert.AreEqual(expected[2], axis.Z, 1e-9);
        // And by construction: the body's own w axis, (sin roll·cos tilt, −sin tilt, cos roll·cos tilt), within sampling error.
        Assert.AreEqual(0, Math.Acos(Math.Abs(axis.Dot(new Vec3(Math.Sin(roll) * Math.Cos(tilt), -Math.Sin(tilt), Math.Cos(roll) * Math.Cos(tilt))))), 0.03);
    }
}
