using OsteoML.Domain;
using OsteoML.Imaging;
using OsteoML.Imaging.Filtering;
using OsteoML.Synthesis.Rendering;

namespace OsteoML.Tests.Synthesis;

[TestClass]
public sealed class RenderingPhysicsTests
{
    [TestMethod]
    public void Mean_HU_in_the_true_trabecular_mask_follows_the_profile_line_at_each_levels_BMD()
    {
        var cohort = KnownProfile.Cohort(matrix: 512, cases: 3);
        var checkedLevels = 0;
        foreach (var c in cohort.Generate(options: RenderOptions.Reduced))
        {
            var fat = c.Bone.MarrowFatFraction;
            foreach (var level in VertebralLevels.All)
            {
                if (!c.Spec.Coverage.Covers(level) || c.Spec.Pathology.FractureAt(level) is not null)
                    continue;
                // Hand-computed line at 120 kVp (tables: red marrow 60 HU, fat −100 HU, mineral 1.25 HU per mg/cm³),
                // then the profile's calibration error: HU' = (1 + gain)·HU + offset.
                var bmd = c.Bone.Bmd(level);
                var expected = (1 + KnownProfile.Gain) * ((1 - fat) * 60 + fat * -100 + 1.25 * bmd) + KnownProfile.OffsetHu;
                var mask = BinaryMorphology.Erode(c.Labels.Map(l => l == SyntheticLabels.Trabecular(level)), 1);
                var values = Select(c.Hu, mask);
                Assert.IsGreaterThan(100, values.Count, $"{c.CaseId} {level}: eroded mask too small");
                var mean = values.Average();
                Assert.AreEqual(expected, mean, 3 + 0.015 * expected, $"{c.CaseId} {level}: BMD {bmd:F1}, marrow fat {fat:F2}");
                checkedLevels++;
            }
        }
        Assert.IsGreaterThanOrEqualTo(10, checkedLevels);
    }

    [TestMethod]
    public void Noise_SD_in_a_uniform_region_matches_the_profile()
    {
        // The scanner's own grid (a 256 matrix keeps the test quick), so no block averaging applies.
        var cohort = KnownProfile.Cohort(matrix: 256, cases: 2, seed: 11);
        foreach (var c in cohort.Generate(options: RenderOptions.Full))
        {
            var a = c.Spec.Acquisition;
            // σ = σ_ref · √(1 mm / T) · √(10 mGy / CTDIvol) · e^(0.0965·(D_w − 30 cm)) at 120 kVp.
            var expected = KnownProfile.KernelNoiseHu * Math.Sqrt(1 / KnownProfile.ThicknessMm) * Math.Sqrt(10 / a.CtdiVolMGy)
                * Math.Exp(0.0965 * (c.Spec.Anatomy.Body.WaterDiameterCm - 30));
            var liver = BinaryMorphology.Erode(c.Labels.Map(l => l == SyntheticLabels.Liver), 3);
            var values = Select(c.Hu, liver);
            Assert.IsGreaterThan(2000, values.Count);
            var mean = values.Average();
            var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
            Assert.AreEqual(expected, sd, 0.05 * expected, c.CaseId);
            Assert.AreEqual(expected, c.ExpectedNoiseSd, 1e-6 * expected);
        }
    }

    [TestMethod]
    public void Rendering_is_identical_whatever_the_parallelism()
    {
        var cohort = KnownProfile.Cohort(matrix: 256, cases: 1, seed: 3);
        var parallel = CaseRenderer.Render(cohort.Cases[0], RenderOptions.Reduced);
        var serial = CaseRenderer.Render(cohort.Cases[0], RenderOptions.Reduced, maxDegreeOfParallelism: 1);
        CollectionAssert.AreEqual(parallel.Hu.Voxels, serial.Hu.Voxels);
        CollectionAssert.AreEqual(parallel.Labels.Voxels, serial.Labels.Voxels);

        var other = KnownProfile.Cohort(matrix: 256, cases: 1, seed: 4);
        Assert.AreNotEqual(cohort.Cases[0].Bone.QctBmd, other.Cases[0].Bone.QctBmd);
    }

    private static List<double> Select(Volume<float> hu, Volume<bool> mask)
    {
        var values = new List<double>();
        for (var i = 0; i < mask.Voxels.Length; i++)
        {
            if (mask.Voxels[i])
                values.Add(hu.Voxels[i]);
        }
        return values;
    }
}
