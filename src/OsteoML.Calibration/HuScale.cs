namespace OsteoML.Calibration;

/// <summary>
/// A scanner's CT-number scale against the ideal one (water 0 HU, air −1000 HU): measured = Offset + (1 + Gain)·ideal.
/// Both a calibration phantom (water and air around it) and a scan's own reference tissues estimate it; inverting it
/// puts a study's HUs on the scale the global model was trained on (its internal scanners are within ±3 HU and
/// ±1.5 % of ideal; an unseen scanner may be off by ±10 HU and ±4 %).
/// </summary>
public sealed record HuScale(double Offset, double Gain)
{
    public static HuScale Ideal { get; } = new(0, 0);

    /// <summary>Scales this far from ideal are not a drifted calibration but a wrong series, unit or fit.</summary>
    public const double MaxOffsetHu = 40, MaxGain = 0.10;

    public double ToIdeal(double measuredHu) => (measuredHu - Offset) / (1 + Gain);

    public double ToMeasured(double idealHu) => Offset + (1 + Gain) * idealHu;

    public bool IsPlausible => double.IsFinite(Offset) && double.IsFinite(Gain) && Math.Abs(Offset) <= MaxOffsetHu && Math.Abs(Gain) <= MaxGain;

    public override string ToString() => FormattableString.Invariant($"offset {Offset:+0.0;-0.0} HU, gain {100 * Gain:+0.00;-0.00} %");
}
