using System.Text.Json.Serialization;
using OsteoML.Calibration.Methods;

namespace OsteoML.Calibration;

/// <summary>The candidate BMD maps of a site calibration, simplest first, by the name profiles store (<see cref="CalibrationMethods"/> holds their fitting and application).</summary>
public enum CalibrationMethod
{
    /// <summary>Keep the global model's BMD.</summary>
    None,

    /// <summary>Add a constant: BMD = ŷ + a.</summary>
    Offset,

    /// <summary>Ridge fit of the correction toward zero (the global model), prior strength chosen by CV.</summary>
    Shrinkage,

    /// <summary>Least-squares line: BMD = ŷ + a + β·(ŷ − c)/s.</summary>
    Linear,

    /// <summary><see cref="Shrinkage"/> with the reference-tissue HUs as extra covariates.</summary>
    ShrinkageWithTissues,

    /// <summary><see cref="Linear"/> with the reference-tissue HUs as extra covariates.</summary>
    LinearWithTissues,
}

/// <summary>
/// A fitted BMD map: calibrated = ŷ + clamp(x·θ, ±<see cref="MaxCorrection"/>) with the design
/// x = [1, (ŷ − <see cref="Centre"/>)/<see cref="SlopeScale"/>, (tissueⱼ − meanⱼ)/<see cref="TissueScale"/> …].
/// Coefficients are fitted to the residuals QCT − ŷ, so θ = 0 is the global model itself and ridge shrinkage
/// pulls toward it. The slope of the map is 1 + θ₁/s, kept within [<see cref="MinimumSlope"/>, <see cref="MaximumSlope"/>].
/// </summary>
public sealed record BmdCorrection
{
    /// <summary>Centre of the slope term: the middle of the osteopenia band, where the class decisions are made.</summary>
    public const double Centre = 100;

    public const double SlopeScale = 40;
    public const double TissueScale = 20;

    /// <summary>
    /// Cap on the correction of any one case, mg/cm³: the width of the osteopenia band. A scanner whose BMD is
    /// off by more than a whole class needs its series or protocol checked (contrast, wrong kernel, units), not a
    /// quiet correction.
    /// </summary>
    public const double MaxCorrection = 40;

    /// <summary>
    /// Slope caps: inter-scanner differences in the HU-to-BMD slope are of the order of ±10–15 % (which is why QCT
    /// needs a phantom per scanner); a fitted slope beyond ±30 % says more about a small or unlucky sample.
    /// </summary>
    public const double MinimumSlope = 0.7, MaximumSlope = 1.3;

    public CalibrationMethod Method { get; init; }

    /// <summary>θ, in design order (empty for <see cref="CalibrationMethod.None"/>).</summary>
    public IReadOnlyList<double> Coefficients { get; init; } = [];

    /// <summary>Site means of the reference-tissue HUs (the centring of the tissue terms); empty without tissues.</summary>
    public IReadOnlyList<double> TissueMeans { get; init; } = [];

    /// <summary>Ridge prior strength in pseudo-cases (shrinkage methods only).</summary>
    public double? PriorStrength { get; init; }

    [JsonIgnore] public bool UsesTissues => CalibrationMethods.Get(Method).UsesTissues;

    /// <summary>The correction at ŷ = <see cref="Centre"/> with mean tissues, mg/cm³.</summary>
    [JsonIgnore] public double OffsetAtCentre => Coefficients.Count > 0 ? Coefficients[0] : 0;

    /// <summary>d(calibrated)/dŷ.</summary>
    [JsonIgnore] public double Slope => Coefficients.Count > 1 ? 1 + Coefficients[1] / SlopeScale : 1;

    public static BmdCorrection Identity { get; } = new() { Method = CalibrationMethod.None };

    public double Apply(double globalBmd, IReadOnlyList<double>? tissues)
    {
        if (Coefficients.Count == 0) return globalBmd;
        if (UsesTissues && (tissues is null || tissues.Count != TissueMeans.Count))
            throw new ArgumentException($"this site's calibration uses the {TissueMeans.Count} reference-tissue HUs, and the case has {tissues?.Count ?? 0}.");
        return globalBmd + Math.Clamp(CalibrationMethods.Get(Method).Correction(this, globalBmd, tissues), -MaxCorrection, MaxCorrection);
    }
}
