using OsteoML.Domain;
using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Sampling;
using OsteoML.Synthesis.Truth;

namespace OsteoML.Tests.Synthesis;

/// <summary>The truth and physics models against the published magnitudes they are built on.</summary>
[TestClass]
public sealed class TruthModelTests
{
    [TestMethod]
    public void Mean_BMD_hits_Chengs_published_reference_points()
    {
        // Cheng et al., JBMR 2021: peak L1–L2 vBMD 185.4 (women) and 176.6 (men) mg/cm³ at 30–34; 62.4 and 92.1 at 80.
        Assert.AreEqual(185.4, PopulationModel.MeanBmd(Sex.Female, 32, 49), 0.5);
        Assert.AreEqual(176.6, PopulationModel.MeanBmd(Sex.Male, 32, null), 0.5);
        Assert.AreEqual(62.4, PopulationModel.MeanBmd(Sex.Female, 80, 49), 1.0);
        Assert.AreEqual(92.1, PopulationModel.MeanBmd(Sex.Male, 80, null), 0.5);
        // Women lose bone faster after menopause than before it, and than men.
        var before = PopulationModel.MeanBmd(Sex.Female, 40, 49) - PopulationModel.MeanBmd(Sex.Female, 45, 49);
        var after = PopulationModel.MeanBmd(Sex.Female, 50, 49) - PopulationModel.MeanBmd(Sex.Female, 55, 49);
        var men = PopulationModel.MeanBmd(Sex.Male, 50, null) - PopulationModel.MeanBmd(Sex.Male, 55, null);
        Assert.IsGreaterThan(2 * before, after);
        Assert.IsGreaterThan(2 * men, after);
    }

    [TestMethod]
    public void Osteoporosis_prevalence_over_50_matches_the_published_QCT_survey()
    {
        // Cheng et al. 2021, ACR criteria, age-standardised to China's 2010 census aged ≥ 50 (50–59 47.4 %,
        // 60–69 29.6 %, 70–79 16.8 %, ≥ 80 6.2 %): 29.0 % of women and 13.5 % of men below 80 mg/cm³.
        var random = new SynthRandom(2024);
        double[] bands = [0.474, 0.296, 0.168, 0.062];
        foreach (var (sex, published) in new[] { (Sex.Female, 0.290), (Sex.Male, 0.135) })
        {
            var osteoporotic = 0;
            const int n = 20000;
            for (var i = 0; i < n; i++)
            {
                var band = random.Choose(bands);
                var age = 50 + 10 * band + random.Uniform(0, band == 3 ? 15 : 10);
                double? menopause = sex == Sex.Female ? random.TruncatedNormal(49, 3.5, 40, 58) : null;
                var bone = PopulationModel.SampleBone(new Patient(sex, age, 165, 65, menopause), random);
                if (BmdClasses.Of(bone.TrueL1L2) == BmdClass.Osteoporosis)
                    osteoporotic++;
            }
            Assert.AreEqual(published, (double)osteoporotic / n, 0.035, sex.ToString());
        }
    }

    [TestMethod]
    public void Marrow_fat_rises_with_age_and_is_higher_at_low_BMD_for_age()
    {
        var young = new Patient(Sex.Female, 28, 165, 60, 50);
        var old = new Patient(Sex.Female, 70, 160, 60, 50);
        // Baum et al. 2018: PDFF ≈ 27 % in women in their twenties; Griffith et al. 2005: ~56–66 % at 70.
        Assert.AreEqual(0.27, PopulationModel.MarrowFat(young, 0), 0.03);
        Assert.IsGreaterThan(0.45, PopulationModel.MarrowFat(old, 0));
        Assert.IsGreaterThan(PopulationModel.MarrowFat(old, 0), PopulationModel.MarrowFat(old, -40));
    }

    [TestMethod]
    public void Fatty_marrow_lowers_HU_at_equal_BMD()
    {
        Assert.IsLessThan(XRayMaterials.TrabecularHu(100, 0.3, 120) - 30, XRayMaterials.TrabecularHu(100, 0.6, 120));
    }

    [TestMethod]
    public void L1_reads_about_ten_HU_higher_at_100_and_lower_at_140_kVp_than_at_120()
    {
        // Typical older-adult L1: 100 mg/cm³, marrow fat 0.45. A 16 747-scan cohort reported +7.2 HU (100 kVp) and
        // −9.6 HU (140 kVp) against 120 kVp (AAPM 2026 abstract); the figure is about ±10 HU.
        var at120 = XRayMaterials.TrabecularHu(100, 0.45, 120);
        Assert.AreEqual(10, XRayMaterials.TrabecularHu(100, 0.45, 100) - at120, 3);
        Assert.AreEqual(-10, XRayMaterials.TrabecularHu(100, 0.45, 140) - at120, 3);
    }

    [TestMethod]
    public void Contrast_raises_trabecular_bone_by_the_published_means()
    {
        // Pompe et al., Eur Radiol 2015: L1 +13.5 HU arterial, +18.2 HU portal venous over unenhanced (120 kVp).
        var random = new SynthRandom(77);
        foreach (var (phase, published) in new[] { (ContrastPhase.Arterial, 13.5), (ContrastPhase.PortalVenous, 18.2) })
        {
            var draws = Enumerable.Range(0, 5000).Select(_ => ContrastEnhancement.Sample(phase, 0.45, random)).ToList();
            Assert.AreEqual(published, draws.Average(e => e.Bone), 1.0, phase.ToString());
            Assert.IsTrue(draws.All(e => e.Bone is >= 3 and <= 40));
        }
        var aorta = Enumerable.Range(0, 2000).Select(_ => XRayMaterials.SoftTissueHu(42, 0, 120) + ContrastEnhancement.Sample(ContrastPhase.PortalVenous, 0.45, random).Aorta).Average();
        Assert.IsInRange(150, 200, aorta, "portal-venous aortic blood");
        Assert.AreEqual(0, ContrastEnhancement.Sample(ContrastPhase.None, 0.45, random).Bone);
    }

    [TestMethod]
    public void Pathology_occurs_at_realistic_rates()
    {
        var random = new SynthRandom(5);
        var samples = Enumerable.Range(0, 6000).Select(_ =>
        {
            var sex = random.Bernoulli(0.5) ? Sex.Female : Sex.Male;
            var patient = new Patient(sex, random.Uniform(70, 80), 165, 65, sex == Sex.Female ? 49.0 : null);
            var bone = PopulationModel.SampleBone(patient, random);
            return (Patient: patient, Bone: bone, Pathology: PathologyModel.Sample(patient, bone, random));
        }).ToList();
        double Share(Func<Pathology, bool> has) => samples.Count(s => has(s.Pathology)) / (double)samples.Count;
        // Tromsø/NHANES: about 11–20 % of 70–79-year-olds have a prevalent vertebral fracture.
        Assert.IsInRange(0.10, 0.25, Share(p => p.Fractures.Count > 0));
        // O'Neill et al. 1999: 74–84 % of over-50s have osteophytes; more at 70+.
        Assert.IsInRange(0.70, 0.97, Share(p => p.Osteophytes.Count > 0));
        // Yin et al. 2015: Schmorl nodes in 28 % (20 % of women, 35 % of men).
        Assert.IsInRange(0.22, 0.34, Share(p => p.SchmorlNodes.Count > 0));
        // Chuang et al. 2012: nearly 90 % of over-65s have aortic calcium.
        Assert.IsInRange(0.80, 0.99, Share(p => p.AorticPlaques.Count > 0));
        // Fractures concentrate at the thoracolumbar junction and at low BMD.
        var levels = samples.SelectMany(s => s.Pathology.Fractures).GroupBy(f => f.Level).OrderByDescending(g => g.Count()).Select(g => g.Key).Take(3).ToList();
        CollectionAssert.IsSubsetOf(levels, new[] { VertebralLevel.T11, VertebralLevel.T12, VertebralLevel.L1, VertebralLevel.L2 });
        var lowBmd = samples.Where(s => s.Bone.TrueL1L2 < 80).ToList();
        var highBmd = samples.Where(s => s.Bone.TrueL1L2 > 120).ToList();
        Assert.IsGreaterThan(2.0 * highBmd.Count(s => s.Pathology.Fractures.Count > 0) / highBmd.Count,
            (double)lowBmd.Count(s => s.Pathology.Fractures.Count > 0) / lowBmd.Count);
    }
}
