namespace OsteoML.Calibration;

/// <summary>
/// A scanner's calibration at one tube voltage from a phantom scan: its CT-number scale (from the water-equivalent
/// body and the air around it) and the HU-to-density line through the mineral inserts (HU = intercept + slope·ρ).
/// </summary>
public sealed record PhantomKvpCalibration(
    int Kvp,
    HuScale Scale,
    double InterceptHu,
    double SlopeHuPerMg,
    double RmsResidualMgCm3,
    IReadOnlyList<PhantomInsertReading> Inserts,
    DateTimeOffset ScannedAt)
{
    /// <summary>Asynchronous-QCT density of a trabecular HU (single energy: marrow fat lowers it, as in QCT).</summary>
    public double Density(double hu) => (hu - InterceptHu) / SlopeHuPerMg;
}
