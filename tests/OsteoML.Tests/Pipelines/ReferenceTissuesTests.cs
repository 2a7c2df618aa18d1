using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Segmentation;

namespace OsteoML.Tests.Pipelines;

/// <summary>
/// The reference-tissue ROIs on hand-built volumes whose tissue HUs are known by construction (model grid, 2 mm, D/H/W =
/// superior/posterior/left): an elliptical body with skin, a subcutaneous fat layer, a muscle wall, visceral fat, two
/// vertebral bodies, paraspinal muscle, an aorta and a psoas disc, plus Gaussian noise.
/// </summary>
[TestClass]
public sealed class ReferenceTissuesTests
{
    private const double Spacing = 2;
    private const float Air = -1000, Skin = 40, Subcutaneous = -100, Muscle = 52, Visceral = -88, Bone = 180;

    [TestMethod]
    public void Thick_fat_layer_enhanced_aorta_and_a_psoas_disc_give_each_tissue_its_value()
    {
        var (hu, levels, size) = Phantom(fatVoxels: 6, aortaHu: 260, seed: 1, psoasInFront: true);
        var t = Measure(hu, levels, size);
        Assert.AreEqual(Air, t[0], 1.0, "air");
        Assert.AreEqual(Subcutaneous, t[1], 1.5, "subcutaneous fat, not the visceral fat behind the wall");
        Assert.AreEqual(Muscle, t[2], 1.0, "paraspinal muscle");
        Assert.AreEqual(260, t[3], 2.0, "the enhanced aorta, not the equally smooth psoas beside it");
    }

    [TestMethod]
    public void A_slim_patients_fat_layer_too_thin_for_an_interior_voxel_falls_back_to_core_fat_instead_of_missing()
    {
        // One voxel (2 mm) of subcutaneous fat: it shares partial volume with skin or muscle. Before the fix the walk
        // skipped 4 mm after the skin and found no fat at all: "reference-tissue HUs missing" on slim patients.
        var (hu, levels, size) = Phantom(fatVoxels: 1, aortaHu: 40, seed: 2, psoasInFront: false);
        var t = Measure(hu, levels, size);
        Assert.IsTrue(double.IsFinite(t[1]), "fat found");
        Assert.AreEqual(Visceral, t[1], 1.5, $"{t[1]} the slab's core fat is the visceral fat");
        Assert.AreEqual(40, t[3], 2.0, "unenhanced aorta, not the psoas beside the bodies");
    }

    [TestMethod]
    public void A_volume_without_L1_or_L2_has_no_tissues()
    {
        var (hu, levels, size) = Phantom(fatVoxels: 6, aortaHu: 40, seed: 3, psoasInFront: false);
        Array.Clear(levels);
        Assert.IsTrue(Measure(hu, levels, size).All(double.IsNaN));
    }

    private static double[] Measure(float[] hu, byte[] levels, int[] size) =>
        ReferenceTissues.Measure(hu, size, Spacing, levels, VertebraSegmentation.LevelCode("L1"), VertebraSegmentation.LevelCode("L2"));

    /// <summary>D × H × W = 20 × 160 × 160 voxels of 2 mm.</summary>
    internal static (float[] Hu, byte[] Levels, int[] Size) Phantom(int fatVoxels, float aortaHu, int seed, bool psoasInFront)
    {
        int[] size = [20, 160, 160];
        var hu = new float[size[0] * size[1] * size[2]];
        var levels = new byte[hu.Length];
        var random = new Random(seed);
        const double ch = 80, cw = 80, ah = 60, aw = 70;
        bool InEllipse(int h, int w, double shrink) =>
            Math.Pow((h - ch) / (ah - shrink), 2) + Math.Pow((w - cw) / (aw - shrink), 2) <= 1;
        bool InDisc(int h, int w, int h0, int w0, int r) => (h - h0) * (h - h0) + (w - w0) * (w - w0) <= r * r;
        for (var d = 0; d < size[0]; d++)
        for (var h = 0; h < size[1]; h++)
        for (var w = 0; w < size[2]; w++)
        {
            var i = (d * size[1] + h) * size[2] + w;
            float v;
            if (!InEllipse(h, w, 0)) v = Air;
            else if (!InEllipse(h, w, 1)) v = Skin;
            else if (!InEllipse(h, w, 1 + fatVoxels)) v = Subcutaneous;
            else if (!InEllipse(h, w, 6 + fatVoxels)) v = Muscle;
            else v = Visceral;
            if (h is >= 100 and <= 130 && w is >= 48 and <= 112) v = Muscle; // paraspinal muscle behind the bodies
            if (InDisc(h, w, 63, 90, 5)) v = aortaHu;                         // aorta: in front of the bodies, left
            // A psoas as smooth as the aorta: reaching in front of the bodies, or beside them (where it lies at L1–L2).
            if (psoasInFront ? InDisc(h, w, 62, 76, 6) : InDisc(h, w, 84, 100, 7)) v = Muscle;
            var core = h is >= 75 and <= 95 && w is >= 70 and <= 90;
            if (core && d is >= 4 and <= 8) { v = Bone; levels[i] = VertebraSegmentation.LevelCode("L1"); }
            if (core && d is >= 10 and <= 14) { v = Bone; levels[i] = VertebraSegmentation.LevelCode("L2"); }
            hu[i] = v + (float)(4 * Gaussian(random));
        }
        return (hu, levels, size);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
