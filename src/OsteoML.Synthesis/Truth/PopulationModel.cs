using OsteoML.Domain;
using OsteoML.Synthesis.Sampling;

namespace OsteoML.Synthesis.Truth;

/// <summary>Who a hospital scans: the age and sex mix and body size of its opportunistic CT population.</summary>
public sealed record PopulationOptions
{
    public double AgeMean { get; init; } = 61;
    public double AgeSd { get; init; } = 12;
    public double AgeMin { get; init; } = 35;
    public double AgeMax { get; init; } = 90;
    public double FemaleShare { get; init; } = 0.52;
    public double BmiMean { get; init; } = 24.8;
    public double BmiSd { get; init; } = 3.8;
}

/// <summary>
/// Draws patients and their bone truth. Mean trabecular BMD by age and sex follows the QCT reference curves of
/// Cheng et al. (JBMR 2021, 69 095 adults, L1–L2, ACR criteria): peaks of 185 (women) and 177 (men) mg/cm³ at
/// 30–34 years, 62 and 92 mg/cm³ at 80; women lose slowly before menopause and fast in the ten years after.
/// Marrow fat rises with age, faster after menopause, and is higher at low BMD for age (Griffith et al. 2005;
/// Baum et al. 2018). See docs/synthesis.md for every number and its source.
/// </summary>
public static class PopulationModel
{
    public static Patient SamplePatient(PopulationOptions options, SynthRandom random)
    {
        var sex = random.Bernoulli(options.FemaleShare) ? Sex.Female : Sex.Male;
        var age = random.TruncatedNormal(options.AgeMean, options.AgeSd, options.AgeMin, options.AgeMax);
        var height = sex == Sex.Female ? random.TruncatedNormal(160, 6.5, 140, 185) : random.TruncatedNormal(172, 7, 150, 200);
        // Older adults are a little shorter (vertebral height loss, kyphosis): about 1 cm per decade after 50.
        height -= Math.Max(0, age - 50) * 0.1;
        var bmi = random.TruncatedNormal(options.BmiMean, options.BmiSd, 16, 45);
        double? menopause = sex == Sex.Female ? random.TruncatedNormal(49, 3.5, 40, 58) : null;
        return new Patient(sex, age, height, bmi * height * height / 1e4, menopause);
    }

    /// <summary>
    /// Expected trabecular L1–L2 BMD (mg/cm³) for age and sex. Men: linear from 176.6 at 32 to 92.1 at 80. Women:
    /// 185.4 at 32, −0.8/year to menopause, −6.5/year for the next 8 years, −2.8/year to 70, −2.1/year after
    /// (62.4 at 80 for menopause at 49). The end points are Cheng et al.'s; the shape is fitted so that the share
    /// of women over 50 below 80 mg/cm³ matches their 29 % (tests/…/PopulationModelTests).
    /// </summary>
    public static double MeanBmd(Sex sex, double age, double? menopauseAge)
    {
        if (sex == Sex.Male)
            return 176.6 - 1.76 * Math.Max(0, age - 32);
        var m = menopauseAge ?? 49;
        var premenopausal = 0.8 * Math.Clamp(age - 32, 0, Math.Max(0, m - 32));
        var early = 6.5 * Math.Clamp(age - m, 0, 8);
        var late = 2.8 * Math.Clamp(age - m - 8, 0, Math.Max(0, 70 - m - 8)) + 2.1 * Math.Max(0, age - Math.Max(70, m + 8));
        return 185.4 - premenopausal - early - late;
    }

    /// <summary>Between-person SD at a given mean: about 36 mg/cm³ at the peak, 26 at 100 and 21 at 60 mg/cm³.</summary>
    public static double BmdSd(double mean) => 14 + 0.12 * mean;

    /// <summary>Trabecular BMD of each level relative to the L1–L2 mean (thoracic slightly denser, lower lumbar slightly less).</summary>
    public static IReadOnlyList<double> LevelFactors { get; } = [1.06, 1.04, 1.02, 1.0, 1.0, 0.97, 0.96, 0.97];

    public static BoneTruth SampleBone(Patient patient, SynthRandom random)
    {
        var mean = MeanBmd(patient.Sex, patient.Age, patient.MenopauseAge);
        var z = random.Gaussian();
        var spine = Math.Max(25, mean + z * BmdSd(mean));
        // Level-to-level scatter within a person: 4 % SD.
        var levels = VertebralLevels.All
            .Select(level => Math.Max(20, spine * LevelFactors[(int)level] * (1 + 0.04 * random.Gaussian())))
            .ToArray();

        var fat = MarrowFat(patient, spine - mean) + 0.05 * random.Gaussian();
        // QCT reference precision: 2.5 % relative SD (Wang et al. 2017: precision errors below 3 %).
        var qctError = 0.025 * random.Gaussian();
        // Sparser trabeculae at low BMD show as coarser, more contrasted texture at CT resolution.
        var texture = Math.Clamp(0.10 + 0.0006 * (150 - spine), 0.08, 0.22) * random.Uniform(0.85, 1.15);
        return new BoneTruth(levels, Math.Clamp(fat, 0.12, 0.85), qctError, texture);
    }

    /// <summary>
    /// Expected vertebral marrow fat fraction: 0.32 (men) and 0.27 (women) in the twenties (Baum et al. 2018),
    /// rising 0.35 %/year in men and 0.8 %/year for 30 years after menopause in women; 0.1 % per mg/cm³ below the
    /// age-expected BMD (osteoporotic marrow is fattier: Griffith et al. 2005).
    /// </summary>
    public static double MarrowFat(Patient patient, double bmdDeviationFromAgeMean)
    {
        var byAge = patient.Sex == Sex.Male
            ? 0.32 + 0.0035 * Math.Max(0, patient.Age - 25)
            : 0.27 + 0.001 * Math.Max(0, patient.Age - 25) + 0.008 * Math.Clamp(patient.Age - (patient.MenopauseAge ?? 50), 0, 30);
        return byAge - 0.001 * bmdDeviationFromAgeMean;
    }
}
