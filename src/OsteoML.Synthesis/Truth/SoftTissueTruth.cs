using OsteoML.Synthesis.Sampling;

namespace OsteoML.Synthesis.Truth;

/// <summary>Per-patient soft-tissue properties that the phantomless-calibration references depend on.</summary>
public sealed record SoftTissueTruth(double LiverFatFraction, double BloodHu, double LungHu)
{
    /// <summary>Hepatic steatosis is common (about a quarter of adults); blood HU follows haematocrit (≈ 35–50 HU).</summary>
    public static SoftTissueTruth Sample(Patient patient, SynthRandom random) => new(
        LiverFatFraction: random.Bernoulli(0.25) ? random.Uniform(0.06, 0.3) : random.Uniform(0, 0.05),
        BloodHu: random.TruncatedNormal(patient.Sex == Sex.Male ? 44 : 40, 4, 28, 56),
        LungHu: random.TruncatedNormal(-860, 35, -950, -750));
}
