using OsteoML.Synthesis.Sampling;

namespace OsteoML.Synthesis.Truth;

/// <summary>
/// How fast a patient's spinal trabecular BMD falls, as a fraction per year. Riggs et al. (JBMR 2008;23:205, 474 adults with
/// lumbar-spine QCT at baseline and 3 years) found median trabecular losses of 1.61 %/yr in young adult women and 0.84 %/yr in
/// young adult men, continuing through life and accelerating around menopause. Modelled: women 1.0 %/yr before menopause,
/// 2.5 %/yr for the eight years after it, 1.5 %/yr later; men 1.0 %/yr; each patient's rate scattered by a 0.6 %/yr SD
/// (never negative). The perimenopausal and later values are assumptions within that study's range, consistent with the
/// population curve's steep early-postmenopausal fall (<see cref="PopulationModel.MeanBmd"/>).
/// </summary>
public static class BoneLossModel
{
    public static double MeanAnnualLoss(Patient patient)
    {
        if (patient.Sex == Sex.Male) return 0.010;
        var menopause = patient.MenopauseAge ?? 49;
        return patient.Age < menopause ? 0.010 : patient.Age < menopause + 8 ? 0.025 : 0.015;
    }

    public static double SampleAnnualLoss(Patient patient, SynthRandom random) => Math.Max(0, random.Normal(MeanAnnualLoss(patient), 0.006));
}
