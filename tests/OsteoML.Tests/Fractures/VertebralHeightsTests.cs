using OsteoML.Imaging;
using OsteoML.Pipelines.Fractures;

namespace OsteoML.Tests.Fractures;

/// <summary>
/// Heights measured on hand-built bodies whose heights are known by construction: an elliptic body in its own frame
/// (u left, v posterior, w along its axis), height varying linearly front to back, voxelised by centre on grids of
/// several spacings and orientations, with the body's axis tilted against the scanner's z.
/// </summary>
[TestClass]
public sealed class VertebralHeightsTests
{
    private const double HalfWidth = 21, HalfDepth = 16;
    private const byte Code = 7;

    /// <summary>A body centred at <paramref name="centre"/> whose axis is tilted by <paramref name="tiltDeg"/> about the
    /// patient's left–right axis (sagittal, as lordosis tilts lumbar bodies); height Ha at the anterior wall rising
    /// linearly to Hp at the posterior wall, mid-plane symmetric.</summary>
    private static Volume<byte> Body(VolumeGeometry grid, Vec3 centre, double tiltDeg, double anteriorHeight, double posteriorHeight, double rollDeg = 0)
    {
        var t = tiltDeg * Math.PI / 180;
        var r = rollDeg * Math.PI / 180;
        // Body frame in LPS: w superior tilted towards posterior, v posterior, u left (rolled about w).
        var w = new Vec3(0, Math.Sin(t), Math.Cos(t));
        var v0 = new Vec3(0, Math.Cos(t), -Math.Sin(t));
        var u0 = new Vec3(1, 0, 0);
        var u = u0 * Math.Cos(r) + v0 * Math.Sin(r);
        var v = v0 * Math.Cos(r) - u0 * Math.Sin(r);
        var volume = new Volume<byte>(grid);
        for (var k = 0; k < grid.Size.Z; k++)
        for (var j = 0; j < grid.Size.Y; j++)
        for (var i = 0; i < grid.Size.X; i++)
        {
            var d = grid.IndexToWorld(i, j, k) - centre;
            double pu = d.Dot(u), pv = d.Dot(v), pw = d.Dot(w);
            if (pu * pu / (HalfWidth * HalfWidth) + pv * pv / (HalfDepth * HalfDepth) > 1) continue;
            var height = anteriorHeight + (posteriorHeight - anteriorHeight) * (pv + HalfDepth) / (2 * HalfDepth);
            if (Math.Abs(pw) <= height / 2) volume[i, j, k] = Code;
        }
        return volume;
    }

    /// <summary>The height of the constructed body at the measurement sites (a tenth of the depth inside each wall).</summary>
    private static BodyHeights Expected(double anterior, double posterior)
    {
        double At(double fraction) => anterior + (posterior - anterior) * fraction;
        return new BodyHeights(At(0.1), At(0.5), At(0.9));
    }

    private static VolumeGeometry Grid(Vec3 spacing, Direction3 direction, double extentMm = 90)
    {
        var size = new Size3((int)(extentMm / spacing.X), (int)(extentMm / spacing.Y), (int)(extentMm / spacing.Z));
        // Origin such that the grid's centre is at the patient origin whatever the orientation.
        var half = direction.Apply(new Vec3((size.X - 1) * spacing.X / 2, (size.Y - 1) * spacing.Y / 2, (size.Z - 1) * spacing.Z / 2));
        return new VolumeGeometry(size, spacing, -half, direction);
    }

    private static void AssertHeights(BodyHeights expected, BodyHeights actual, double toleranceMm, string because)
    {
        Assert.AreEqual(expected.Anterior, actual.Anterior, toleranceMm, $"anterior, {because}");
        Assert.AreEqual(expected.Middle, actual.Middle, toleranceMm, $"middle, {because}");
        Assert.AreEqual(expected.Posterior, actual.Posterior, toleranceMm, $"posterior, {because}");
    }

    public static IEnumerable<object[]> Cases =>
    [
        // spacing (mm), tilt (°), roll (°), anterior and posterior height (mm)
        [1.0, 1.0, 1.0, 0.0, 0.0, 26.0, 26.0],
        [0.8, 0.8, 2.0, 0.0, 0.0, 24.0, 24.0],
        [1.0, 1.0, 1.0, 25.0, 0.0, 26.0, 26.0],
        [0.8, 0.8, 2.0, 30.0, 8.0, 25.0, 25.0],
        [1.0, 1.0, 1.0, 0.0, 0.0, 17.0, 26.0],
        [0.8, 0.8, 2.0, 20.0, 0.0, 15.0, 27.0],
        [1.0, 1.0, 3.0, 15.0, 5.0, 24.0, 24.0],
    ];

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void Whole_body_heights_are_read_along_the_bodys_own_axis(double sx, double sy, double sz, double tilt, double roll, double anterior, double posterior)
    {
        var grid = Grid(new Vec3(sx, sy, sz), Direction3.Identity);
        var labels = Body(grid, new Vec3(0.3, -0.7, 0.4), tilt, anterior, posterior, roll);
        var measured = VertebralHeights.Measure(NativeLevelMap.From(labels), Code, MaskExtent.WholeBody);
        Assert.IsNotNull(measured);
        // Half a slice is the voxelisation's reach on a single ray; the bundle of rays averages most of it away. A
        // wedge's endplates are not parallel, so its axis of least spread leans by about half the wedge angle and the
        // rays cross the body slightly aslant: a few per cent of the height difference more.
        var tolerance = Math.Max(0.5, 0.3 * sz) + 0.06 * Math.Abs(posterior - anterior);
        AssertHeights(Expected(anterior, posterior), measured.Heights, tolerance, $"{sx}×{sy}×{sz} mm, tilt {tilt}°, roll {roll}°");
        var tiltOfAxis = Math.Acos(Math.Abs(measured.Axis.Z)) * 180 / Math.PI;
        Assert.AreEqual(tilt, tiltOfAxis, anterior == posterior ? 1.5 : 12, "the axis is the body's, not the scanner's");
        Assert.IsTrue(measured.Axis.Z > 0, "the axis points superior");
        Assert.IsFalse(measured.TouchesScanEdge);
    }

    [TestMethod]
    public void A_tilted_body_read_along_the_scanners_z_would_be_taller_so_the_axis_matters()
    {
        // At 30° of tilt a ray along z crosses 26/cos 30° = 30 mm of body; the measurement must give 26.
        var grid = Grid(new Vec3(1, 1, 1), Direction3.Identity);
        var labels = Body(grid, Vec3.Zero, 30, 26, 26);
        var measured = VertebralHeights.Measure(NativeLevelMap.From(labels), Code, MaskExtent.WholeBody)!;
        Assert.AreEqual(26, measured.Heights.Middle, 0.5);
        var alongZ = Enumerable.Range(0, grid.Size.Z).Count(k => labels[grid.Size.X / 2, grid.Size.Y / 2, k] == Code);
        Assert.IsTrue(alongZ >= 29, $"a z column crosses {alongZ} mm");
    }

    [TestMethod]
    public void Oblique_grid_orientation_and_feet_first_stacking_do_not_change_the_heights()
    {
        var oblique = new Direction3(new Vec3(0, 1, 0), new Vec3(-1, 0, 0), new Vec3(0, 0, -1));
        var grid = Grid(new Vec3(0.9, 0.9, 1.5), oblique);
        var labels = Body(grid, Vec3.Zero, 12, 18, 25);
        var measured = VertebralHeights.Measure(NativeLevelMap.From(labels), Code, MaskExtent.WholeBody)!;
        AssertHeights(Expected(18, 25), measured.Heights, 0.5, "oblique grid");
        Assert.IsTrue(measured.Posterior.Y > 0.9, "posterior is patient +Y made perpendicular to the axis");
    }

    [TestMethod]
    public void A_trabecular_core_gets_the_endplates_added_and_a_cut_body_is_flagged()
    {
        var grid = Grid(new Vec3(1, 1, 1), Direction3.Identity);
        var labels = Body(grid, Vec3.Zero, 0, 22, 22);
        var options = new VertebralHeightOptions { EndplateMm = 0.8 };
        var core = VertebralHeights.Measure(NativeLevelMap.From(labels), Code, MaskExtent.TrabecularCore, options)!;
        AssertHeights(Expected(23.6, 23.6), core.Heights, 0.5, "core + 2 × 0.8 mm");

        // The same body with its top cut by the scan's last slice.
        var cutGrid = grid with { Size = new Size3(grid.Size.X, grid.Size.Y, grid.Size.Z / 2 + 5) };
        var cut = new Volume<byte>(cutGrid, labels.Voxels.Take((int)cutGrid.Size.Count).ToArray());
        Assert.IsTrue(VertebralHeights.Measure(NativeLevelMap.From(cut), Code, MaskExtent.WholeBody)!.TouchesScanEdge);
    }

    [TestMethod]
    public void A_missing_code_or_a_speck_is_not_measured()
    {
        var grid = Grid(new Vec3(2, 2, 2), Direction3.Identity, 40);
        var labels = new Volume<byte>(grid);
        Assert.IsNull(VertebralHeights.Measure(NativeLevelMap.From(labels), Code, MaskExtent.WholeBody));
        labels[10, 10, 10] = Code;
        Assert.IsNull(VertebralHeights.Measure(NativeLevelMap.From(labels), Code, MaskExtent.WholeBody));
    }
}
